/**
 * The generated bad-input suite: for every runbook of the catalog, malformed inputs
 * (test/support/bad-inputs.ts) through the CLI's validation and through a direct Temporal start
 * with the project's data converter. Each must end as a clean refusal naming a field — the CLI's
 * input error (exit 2), the workflow failed non-retryably with InvalidInput — and together they
 * must leave the estate as it was: no MQSC but DISPLAY, no treasury write, no audit record.
 * Seeded (JINCAI_TEST_SEED, or `./jincai test -- --seed N`); the figures are printed.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { RunbookInputError, validateRunbookInput } from '../../scripts/lib/runbook-input.ts';
import { prepareStart } from '../../scripts/lib/run-start.ts';
import { runbookEntries, runbookEntry } from '../../workflows/catalog.ts';
import { mapWithConcurrency } from '../../domain/concurrency.ts';
import { sampleBadInputs, type BadInput } from '../support/bad-inputs.ts';
import { runCli } from '../support/cli.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';

const seed = Number(process.env.JINCAI_TEST_SEED ?? 20261127);
/** At least this many cases in a run, shared out over the catalog's runbooks. */
const minimumCases = 540;
/**
 * A refusal is a few workflow tasks. A run still open after this is looked at: one waiting for
 * nothing Temporal is about to give it (a timer, a signal, an approval) is not refusing.
 */
const hangAfterMs = 60_000;
/** A run still being served after this, however loaded the machine, is spinning, not refusing. */
const spinningAfterMs = 300_000;
/** Runs started and not yet ended at any time. */
const inFlight = 12;

let estate: TestEstate;
let cases: BadInput[];
let before0: EstateMarks;

interface EstateMarks {
  mqsc: Map<string, number>;
  treasury: string;
  audit: number;
}

function marks(): EstateMarks {
  const mqsc = new Map(
    [estate.site.mq.financeQmgr, ...estate.site.banks.map((b) => b.qmgr)].map((q) => [
      q,
      estate.sandbox.estate.mqscLog(q).length,
    ]),
  );
  const treasury = new Database(estate.sandbox.treasuryPath, { readonly: true });
  const hash = createHash('sha256');
  const tables = treasury
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .all() as { name: string }[];
  for (const { name } of tables) {
    hash.update(name);
    for (const row of treasury.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).iterate()) {
      hash.update(JSON.stringify(row));
    }
  }
  treasury.close();
  const auditPath = estate.site.audit.sqlite?.path ?? '';
  const audit = new Database(auditPath, { readonly: true, fileMustExist: false });
  const count = (audit.prepare('SELECT count(*) AS n FROM audit_records').get() as { n: number }).n;
  audit.close();
  return { mqsc, treasury: hash.digest('hex'), audit: count };
}

/** Whether the problems name the broken field (or something inside it). */
const namesField = (problems: readonly string[], field: string) =>
  problems.some((p) => [':', '.', '['].some((next) => p.startsWith(`${field}${next}`)));

const label = (c: BadInput) => `${c.runbook} ${c.kind} ${c.field}`;

before(async () => {
  const runbooks = runbookEntries().map((e) => [e.id, e] as const);
  const perRunbook = Math.ceil(minimumCases / runbooks.length);
  cases = runbooks.flatMap(([name, entry], i) =>
    sampleBadInputs(name, entry.input, entry.example as object, perRunbook, seed + i),
  );
  estate = await startTestEstate({ programs: false });
  await estate.startWorker();
  before0 = marks();
});

after(async () => {
  await estate?.stop();
});

test('every runbook’s example is valid for the CLI', () => {
  for (const entry of runbookEntries()) {
    assert.doesNotThrow(() => validateRunbookInput(entry.id, entry.example, estate.site), entry.id);
  }
});

/** The front door (inbox or CLI) puts the signed-in person in as requestedBy, whatever was given. */
const aboutRequester = (c: BadInput) => c.field === 'input.requestedBy';

test('the CLI’s validation refuses every generated bad input, naming the field', (t) => {
  const wrong: string[] = [];
  let replaced = 0;
  for (const c of cases) {
    try {
      const started = prepareStart(c.runbook, c.input, { site: estate.site, user: 'zhang.san' });
      if (aboutRequester(c) && started.input.requestedBy === 'zhang.san') replaced++;
      else wrong.push(`accepted: ${label(c)}`);
    } catch (err) {
      if (!(err instanceof RunbookInputError)) wrong.push(`crashed: ${label(c)}: ${String(err)}`);
      else if (!namesField(err.problems, c.field)) wrong.push(`${label(c)}: ${err.problems[0]}`);
    }
  }
  t.diagnostic(
    `seed ${seed}: ${cases.length} cases through the CLI, ${cases.length - wrong.length - replaced} clean refusals, ${replaced} with requestedBy replaced by the signed-in person, ${wrong.length} other`,
  );
  assert.deepEqual(wrong, []);
});

/**
 * The run's end, or `open`: after `hangAfterMs` it waits with no workflow task and no activity
 * pending, or it is still being served after `spinningAfterMs`. On a loaded machine a refusal can
 * wait a while for a worker to take its task; that is slowness, not a hang.
 */
async function outcomeOf(handle: WorkflowHandle): Promise<unknown> {
  const ended = handle.result().then(
    () => 'completed' as const,
    (err: unknown) => err,
  );
  const since = Date.now();
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      ended,
      new Promise<'open'>((done) => (timer = setTimeout(() => done('open'), hangAfterMs))),
    ]);
    clearTimeout(timer);
    if (outcome !== 'open') return outcome;
    const { status, raw } = await handle.describe();
    if (status.name !== 'RUNNING') continue;
    const served = !!raw.pendingWorkflowTask || (raw.pendingActivities?.length ?? 0) > 0;
    if (!served || Date.now() - since > spinningAfterMs) return 'open';
  }
}

test('a direct Temporal start of every generated bad input fails at once, non-retryably, naming the field', async (t) => {
  const runId = Date.now().toString(36);
  const wrong: string[] = [];
  // A bounded number in flight, each followed to its end: the worker is not flooded.
  await mapWithConcurrency(cases, inFlight, async (c, i) => {
    const entry = runbookEntry(c.runbook);
    assert.ok(entry);
    const handle = await estate.client.workflow.start(entry.workflowType, {
      taskQueue: estate.site.temporal.taskQueues.runbooks,
      workflowId: `bad-input/${runId}/${i}`,
      args: [c.input],
    });
    const outcome = await outcomeOf(handle);
    if (outcome === 'open') {
      wrong.push(`still running: ${label(c)}`);
      await handle.terminate('bad-input suite: no refusal').catch(() => undefined);
    } else if (!(outcome instanceof WorkflowFailedError) || !(outcome.cause instanceof ApplicationFailure)) {
      wrong.push(`${label(c)}: ended ${outcome === 'completed' ? 'completed' : String(outcome)}`);
    } else {
      const failure = outcome.cause;
      if (failure.type !== 'InvalidInput' || !failure.nonRetryable)
        wrong.push(`${label(c)}: ${failure.type}`);
      else if (!namesField((failure.details ?? []) as string[], c.field))
        wrong.push(`${label(c)}: ${failure.message}`);
    }
  });
  t.diagnostic(
    `seed ${seed}: ${cases.length} runs started through Temporal, ${cases.length - wrong.length} clean refusals, ${wrong.length} other`,
  );
  assert.deepEqual(wrong, []);
});

test('the CLI itself exits 2 naming the field, for a case of the first, middle and last runbook', async () => {
  const names = runbookEntries().map((e) => e.id);
  // A case that fits in one command-line argument (Linux refuses one over 128 KiB with E2BIG;
  // a huge string of full-width letters is three bytes a letter).
  const fits = (c: BadInput) => Buffer.byteLength(JSON.stringify(c.input)) < 100_000;
  const picked = [names[0], names[Math.floor(names.length / 2)], names.at(-1)].map((name) =>
    cases.find(
      (c) => c.runbook === name && !(c.input instanceof Uint8Array) && !aboutRequester(c) && fits(c),
    ),
  );
  await Promise.all(
    picked.map(async (c) => {
      assert.ok(c);
      const run = await runCli(
        ['start', c.runbook, '--input', JSON.stringify(c.input), '--user', 'zhang.san'],
        {
          JINCAI_SITE: estate.file,
        },
      );
      assert.equal(run.code, 2, `${label(c)}: ${run.stderr.slice(0, 500)}`);
      assert.ok(run.stderr.includes(c.field), `${label(c)}: ${run.stderr.slice(0, 500)}`);
      assert.doesNotMatch(run.stdout, /Started/);
    }),
  );
});

test('the refusals changed nothing: no MQSC but DISPLAY, no treasury write, no audit record', () => {
  const now = marks();
  for (const [qmgr, n] of before0.mqsc) {
    const commands = estate.sandbox.estate.mqscLog(qmgr).slice(n);
    const changing = commands.filter((e) => !/^\s*DISPLAY\b/i.test(e.command));
    assert.deepEqual(changing, [], qmgr);
  }
  assert.equal(now.treasury, before0.treasury, 'the treasury database is as it was');
  assert.equal(now.audit, before0.audit, 'no audit record was written');
});
