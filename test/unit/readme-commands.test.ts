/**
 * Every command line the README shows, and every one the running stack suggests, parses: each
 * `./jincai …` / `npm run …` line runs, as a real process, with --check-args — its command checks the
 * line with its own parser, says what it would do and stops, changing nothing — and must answer
 * "arguments ok". A script that is no entry point of ours (check, format) must be shown bare.
 *
 * The wrappers hand a line's arguments to its entry point as they are (`./jincai X …` runs
 * `npm run --silent X -- …`, which runs `tsx <file> …`), so a line runs its entry point straight with
 * them — compiled when the test run's build holds it — and each form of wrapper is run for real on
 * lines of the README, with the same answer: a process per line, not three.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { nextSteps } from '../../scripts/lib/next-steps.ts';
import { projectRoot } from '../../temporal.config.ts';
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
  const run = await (plan.verbatim ? runStraight(entryPoint, plan) : runAsWritten(plan));
  if (run.code === 0 && /^arguments ok: /m.test(run.stdout)) return undefined;
  return `${line}\n  exit ${String(run.code)}: ${`${run.stderr}${run.stdout}`.trim().split('\n').slice(0, 3).join('\n  ')}`;
}

/** The line as a user types it, its wrapper and all. */
function runAsWritten(plan: PlannedRun): Promise<CliRun> {
  const [program = '', ...args] = plan.argv;
  return runProcess(program, args, { ...env, ...plan.env });
}

/** The line's entry point, given the line's arguments as its wrapper would hand them on. */
function runStraight(entryPoint: string, plan: PlannedRun): Promise<CliRun> {
  const argv = [...entryPointArgs(entryPoint), ...plan.args, '--check-args'];
  return runProcess(process.execPath, argv, { ...env, ...plan.env });
}

/** Checks the lines a few at a time (each is a process start); returns every problem. */
async function problems(lines: string[]): Promise<string[]> {
  const found: (string | undefined)[] = [];
  const queue = [...lines.entries()];
  const lane = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) found[next[0]] = await problem(next[1]);
  };
  await Promise.all([lane(), lane(), lane()]);
  return found.filter((p): p is string => p !== undefined);
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
    const [written, straight] = await Promise.all([runAsWritten(plan), runStraight(entryPoint, plan)]);
    assert.equal(written.code, 0, `${plan.argv.join(' ')}\n${written.stderr}`);
    assert.match(written.stdout, /^arguments ok: /m);
    assert.equal(written.stdout, straight.stdout, plan.argv.join(' '));
  }
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
      'Then `./jincai nosuch` or `./jincai check --fast`, or `npm run sandbox:cli -- fault inject channel-stopped --bank ICBC --lift`.',
      'Patterns are left alone: `./jincai runbook …`, `npm run <command>`.',
    ].join('\n'),
  ).map((c) => c.line);
  assert.equal(wrong.length, 5);
  const found = await problems(wrong);
  assert.equal(found.length, 5, found.join('\n'));
  assert.match(found[0] ?? '', /Unknown option '--runbok'/);
  assert.match(found[1] ?? '', /scenario: missing <name>/);
  assert.match(found[2] ?? '', /no command "nosuch"/);
  assert.match(found[3] ?? '', /check takes no arguments/);
  assert.match(found[4] ?? '', /fault inject: does not take --lift/);
});
