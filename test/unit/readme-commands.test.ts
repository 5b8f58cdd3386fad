/**
 * Every command line the README shows, and every one the running stack suggests, parses: each
 * `./jincai …` / `npm run …` line is run with --check-args — its command checks the line with its
 * own parser, says what it would do and stops, changing nothing — and must answer "arguments ok". A
 * script that is no entry point of ours (format) must be shown bare.
 *
 * The wrappers hand a line's arguments to its entry point as they are (`./jincai X …` runs
 * `npm run --silent X -- …`, which runs `tsx <file> …`), so a line runs its entry point straight
 * with them — compiled when the test run's build holds it — and each form of wrapper is run for
 * real on a line of the README, with the same answer. The lines are checked in one process
 * (check-args-lines.ts: each line's entry point evaluated afresh, its imports loaded once, where a
 * process per line spent a second of CPU on them), and each entry point the README names answers
 * one of its lines there exactly as in a process of its own.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { nextSteps } from '../../scripts/lib/next-steps.ts';
import { projectRoot } from '../../temporal.config.ts';
import { checkArgsLines } from '../support/check-args-lines.ts';
import { runProcess, type CliRun } from '../support/cli.ts';
import {
  entryPointOf,
  packageScripts,
  planRun,
  readmeCommands,
  takesCheckArgs,
  type PlannedRun,
} from '../support/readme-commands.ts';
import { entryPointArgs } from '../support/test-build.ts';

// The committed site, as a new user has it; no user signed in unless the line says so.
const env: NodeJS.ProcessEnv = { ...process.env };
delete env.JINCAI_SITE;
delete env.JINCAI_USER;

const host = checkArgsLines(env);
after(() => host.close());

/** Why the line does not parse, or undefined when it does. */
async function problem(line: string): Promise<string | undefined> {
  let plan;
  try {
    plan = planRun(line);
  } catch (err) {
    return `${line}\n  ${(err as Error).message}`;
  }
  const entryPoint = entryPointOf(plan.script);
  if (!entryPoint) return plan.args.length > 0 ? `${line}\n  ${plan.script} takes no arguments` : undefined;
  if (!takesCheckArgs(entryPoint)) return `${line}\n  ${entryPoint} does not take --check-args`;
  const run = await (plan.verbatim ? host.check(entryPoint, plan.args, plan.env) : runAsWritten(plan));
  if (run.code === 0 && /^arguments ok: /m.test(run.stdout)) return undefined;
  return `${line}\n  exit ${String(run.code)}: ${`${run.stderr}${run.stdout}`.trim().split('\n').slice(0, 3).join('\n  ')}`;
}

/** The line as a user types it, its wrapper and all. */
function runAsWritten(plan: PlannedRun): Promise<CliRun> {
  const [program = '', ...args] = plan.argv;
  return runProcess(program, args, { ...env, ...plan.env });
}

/** The line's entry point in a process of its own, given the line's arguments as its wrapper would hand them on. */
function runStraight(entryPoint: string, plan: PlannedRun): Promise<CliRun> {
  const argv = [...entryPointArgs(entryPoint), ...plan.args, '--check-args'];
  return runProcess(process.execPath, argv, { ...env, ...plan.env });
}

async function problems(lines: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const line of lines) {
    const p = await problem(line);
    if (p !== undefined) found.push(p);
  }
  return found;
}

const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');

test('every command line the README shows and the stack suggests parses', async () => {
  const shown = readmeCommands(readme).map((c) => c.line);
  assert.ok(shown.length >= 25, `only ${shown.length} command lines found in the README`);
  for (const line of ['./jincai start -- --reseed', 'npm run worker -- --zones comm'])
    assert.ok(shown.includes(line), line);
  const suggested = nextSteps({ engineer: 'demo-engineer', approver: 'demo-approver' }).map((s) => s.line);
  const lines = [...shown, ...suggested];
  const t0 = Date.now();
  assert.deepEqual(await problems(lines), []);
  console.log(`${lines.length} command lines checked in ${Date.now() - t0} ms`);
});

test("each wrapper hands a README line's arguments on as they are: the same answer as the entry point's own", async () => {
  const shown = readmeCommands(readme).map((c) => planRun(c.line));
  const forms = [
    shown.find((p) => p.argv[0] === './jincai' && p.args.length > 1),
    shown.find((p) => p.argv[0] === 'npm' && p.args.length > 1),
  ];
  for (const plan of forms) {
    assert.ok(plan, 'a README line of each form');
    const entryPoint = entryPointOf(plan.script) ?? '';
    const [written, checked] = await Promise.all([
      runAsWritten(plan),
      host.check(entryPoint, plan.args, plan.env),
    ]);
    assert.equal(written.code, 0, `${plan.argv.join(' ')}\n${written.stderr}`);
    assert.match(written.stdout, /^arguments ok: /m);
    // npm's own lines (the script it runs) come first unless it was told to be silent.
    assert.ok(
      written.stdout.endsWith(checked.stdout),
      `${plan.argv.join(' ')}\n${written.stdout}\nanswered otherwise when checked:\n${checked.stdout}`,
    );
  }
});

test('each entry point the README names answers a line of it in one process as in a process of its own', async () => {
  const first = new Map<string, PlannedRun>();
  for (const { line } of readmeCommands(readme)) {
    const plan = planRun(line);
    const entryPoint = entryPointOf(plan.script);
    if (entryPoint && plan.verbatim && !first.has(entryPoint)) first.set(entryPoint, plan);
  }
  assert.ok(first.size >= 10, [...first.keys()].join(', '));
  const differ: string[] = [];
  for (const [entryPoint, plan] of first) {
    const [own, checked] = await Promise.all([
      runStraight(entryPoint, plan),
      host.check(entryPoint, plan.args, plan.env),
    ]);
    if (own.code !== checked.code || own.stdout !== checked.stdout)
      differ.push(
        `${plan.argv.join(' ')}\n  own process: exit ${own.code} ${own.stdout}  checked: exit ${checked.code} ${checked.stdout}`,
      );
  }
  assert.deepEqual(differ, []);
});

test('every entry point an npm script runs takes --check-args', () => {
  const entryPoints = Object.keys(packageScripts()).flatMap((script) => entryPointOf(script) ?? []);
  assert.ok(entryPoints.length >= 10, entryPoints.join(', '));
  assert.deepEqual(
    entryPoints.filter((file) => !takesCheckArgs(file)),
    [],
  );
});

test('a line naming a command, an option or an argument that does not exist is caught', async () => {
  const wrong = readmeCommands(
    [
      '```bash',
      './jincai runbook list --runbok daily-inspection   # a misspelt option',
      'npm run sandbox:cli -- scenario',
      '```',
      'Then `./jincai nosuch` or `./jincai format --fast`, or `npm run sandbox:cli -- fault inject channel-stopped --bank ICBC --lift`.',
      'Patterns are left alone: `./jincai runbook …`, `npm run <command>`.',
    ].join('\n'),
  ).map((c) => c.line);
  assert.equal(wrong.length, 5);
  const found = await problems(wrong);
  assert.equal(found.length, 5, found.join('\n'));
  assert.match(found[0] ?? '', /Unknown option '--runbok'/);
  assert.match(found[1] ?? '', /scenario: missing <name>/);
  assert.match(found[2] ?? '', /no command "nosuch"/);
  assert.match(found[3] ?? '', /format takes no arguments/);
  assert.match(found[4] ?? '', /fault inject: does not take --lift/);
});
