import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import {
  decodeArrayFromPayloads,
  decodeOptionalFailureToOptionalError,
  loadDataConverter,
} from '@temporalio/common/lib/internal-non-workflow/index.js';
import proto from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { createDataConverter, failureConverterPath } from '../../connectors/codec/data-converter.ts';
import { parsePayloadKeys } from '../../connectors/codec/payload-keys.ts';
import {
  workflowBundlerOptions,
  workflowInterceptorModules,
  workflowsPath,
} from '../../workers/workflow-bundle.ts';
import type { CapturedKind } from './capture-interceptors.ts';

// Recorded by test/histories/record*.ts; replaying them proves today's workflow code makes the
// same decisions as the code that wrote them (a non-deterministic change fails here).
const here = new URL('.', import.meta.url);
const keys = parsePayloadKeys(readFileSync(new URL('payload-key.txt', here), 'utf8').trim(), 'payload-key.txt');
const dataConverter = createDataConverter(keys);
const loaded = loadDataConverter(dataConverter);
const histories = readdirSync(here).filter((f) => f.endsWith('.history.bin'));
// A history does not carry its workflow id; runbooks that derive ids from it need the real one.
const workflowIds: Record<string, string> = JSON.parse(readFileSync(new URL('workflow-ids.json', here), 'utf8'));

// Replay must also schedule every activity, timer, child and signal with the recorded input, and
// end with the recorded result: audit keys, query ids, lock names and plan digests ride in those.
// Histories recorded before a run's audit keys named the run schedule other inputs on today's code
// (as Temporal allows: it holds a replay to the commands, not to their inputs); they replay only.
const commandsOnly = ['channel-recovery', 'daily-inspection', 'sequence-resync'];
const sameInputs = histories.map((f) => f.replace(/\.history\.bin$/, '')).filter((n) => !commandsOnly.includes(n));

type History = proto.temporal.api.history.v1.IHistory;
interface Command {
  kind: CapturedKind;
  value: unknown;
}

let captured: Command[] = [];
/** What replaying each history gave: its error, or the commands it scheduled. */
const replayed = new Map<string, { error?: Error; commands: Command[] }>();

// One replay worker for every history (Worker.runReplayHistories), one history after another, so
// what the capture sink hears between two results is the later history's: one bundle loaded once,
// not a worker per history and per describe below.
before(async () => {
  const bundle = await bundleWorkflowCode({
    workflowsPath,
    ...workflowBundlerOptions,
    workflowInterceptorModules: [
      ...workflowInterceptorModules,
      fileURLToPath(new URL('capture-interceptors.ts', here)),
    ],
    failureConverterPath,
    logger: new DefaultLogger('WARN'),
  });
  const results = Worker.runReplayHistories(
    {
      workflowBundle: bundle,
      dataConverter,
      sinks: {
        capture: {
          command: {
            fn: (_info: unknown, kind: CapturedKind, json: string) => {
              captured.push({ kind, value: JSON.parse(json) });
            },
            callDuringReplay: true,
          },
        },
      },
    },
    histories.map((file) => ({ history: decode(file), workflowId: workflowIds[file] ?? 'fake' })),
  );
  let at = 0;
  for await (const result of results) {
    replayed.set(histories[at++] ?? '', { ...(result.error && { error: result.error }), commands: captured });
    captured = [];
  }
  assert.equal(replayed.size, histories.length, 'every history replayed');
});

/** The history's replay: throws what it failed with, else the commands it scheduled. */
function replay(file: string): Command[] {
  const result = replayed.get(file);
  assert.ok(result, `${file} was replayed`);
  if (result.error) throw result.error;
  return result.commands;
}

const durationMs = (d: proto.google.protobuf.IDuration | null | undefined) =>
  Number(d?.seconds ?? 0) * 1000 + Math.round((d?.nanos ?? 0) / 1e6);

/** What the recorded run scheduled, in order, as the capture interceptors describe it. */
async function recorded(history: History): Promise<Command[]> {
  const out: Command[] = [];
  for (const e of history.events ?? []) {
    if (e.activityTaskScheduledEventAttributes) {
      const a = e.activityTaskScheduledEventAttributes;
      out.push({
        kind: 'activity',
        value: {
          type: a.activityType?.name,
          taskQueue: a.taskQueue?.name,
          args: await decodeArrayFromPayloads(loaded, a.input?.payloads),
        },
      });
    } else if (e.timerStartedEventAttributes) {
      out.push({ kind: 'timer', value: durationMs(e.timerStartedEventAttributes.startToFireTimeout) });
    } else if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
      const c = e.startChildWorkflowExecutionInitiatedEventAttributes;
      out.push({
        kind: 'child',
        value: {
          type: c.workflowType?.name,
          workflowId: c.workflowId,
          args: await decodeArrayFromPayloads(loaded, c.input?.payloads),
        },
      });
    } else if (e.signalExternalWorkflowExecutionInitiatedEventAttributes) {
      const s = e.signalExternalWorkflowExecutionInitiatedEventAttributes;
      out.push({
        kind: 'signal',
        value: {
          name: s.signalName,
          workflowId: s.workflowExecution?.workflowId,
          args: await decodeArrayFromPayloads(loaded, s.input?.payloads),
        },
      });
    } else if (e.workflowExecutionCompletedEventAttributes) {
      const [result] = await decodeArrayFromPayloads(loaded, e.workflowExecutionCompletedEventAttributes.result?.payloads);
      out.push({ kind: 'result', value: result ?? null });
    } else if (e.workflowExecutionFailedEventAttributes) {
      const err = await decodeOptionalFailureToOptionalError(loaded, e.workflowExecutionFailedEventAttributes.failure);
      out.push({ kind: 'failure', value: err?.message ?? null });
    }
  }
  return out;
}

/** The captured commands, with an activity's task queue taken as recorded where the code left it to the default. */
function asReplayed(replayed: Command[], expected: Command[]): Command[] {
  return replayed.map((c, i) => {
    const want = expected[i];
    if (c.kind !== 'activity' || want?.kind !== 'activity') return c;
    const value = c.value as { taskQueue: string | null };
    return value.taskQueue === null
      ? { kind: c.kind, value: { ...value, taskQueue: (want.value as { taskQueue: string }).taskQueue } }
      : c;
  });
}

/**
 * A report's words are no decision: the report activity is held to its place in the run and to
 * where the report goes (runbook or inspection day, workflow id, start), not to its text, which a
 * change of wording rewrites (domain/runbooks/<runbook>.report.ts).
 */
function reportPlace(c: Command): Command {
  const value = c.value as { type?: string; args?: Record<string, unknown>[] };
  if (c.kind !== 'activity' || !['writeRunbookReport', 'writeInspectionReport'].includes(value.type ?? '')) return c;
  const [report = {}] = value.args ?? [];
  const place = Object.fromEntries(
    ['runbook', 'date', 'workflowId', 'startedAt'].flatMap((k) => (k in report ? [[k, report[k]]] : [])),
  );
  return { kind: c.kind, value: { ...value, args: [place] } };
}

/** A vote's role, which votes carry since changes record who approved in which role, set aside. */
function withoutVoteRoles(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutVoteRoles);
  if (value === null || typeof value !== 'object') return value;
  const isVote = 'verdict' in value && 'user' in value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !(isVote && k === 'role'))
      .map(([k, v]) => [k, withoutVoteRoles(v)]),
  );
}

/**
 * A change's audit record is held to its place, key, plan, approvers, target, states and whether it
 * was found done — not to the one mutation record's fields older runs wrote otherwise (the gate,
 * the approvers' roles, the statements as its action: domain/mutation-record.ts).
 */
function changePlace(c: Command): Command {
  const value = c.value as { type?: string; args?: { kind?: string; payload?: Record<string, unknown> }[] };
  const [entry] = value.args ?? [];
  if (c.kind !== 'activity' || value.type !== 'appendAudit' || entry?.kind !== 'mutation' || !entry.payload)
    return c;
  const { payload } = entry;
  const approvers = Array.isArray(payload.approvedBy)
    ? payload.approvedBy.map((a: unknown) => (typeof a === 'string' ? a : (a as { user: string }).user))
    : payload.approvedBy;
  const essence = {
    planDigest: payload.planDigest,
    approvedBy: approvers,
    target: payload.target,
    before: payload.before,
    after: payload.after,
    alreadyDone: payload.alreadyDone,
  };
  return { kind: c.kind, value: { ...value, args: [{ ...entry, payload: essence }] } };
}

const decode = (file: string) => proto.temporal.api.history.v1.History.decode(readFileSync(new URL(file, here)));

describe('recorded histories replay on the current workflow code', () => {
  for (const file of histories) {
    it(file, () => {
      replay(file);
    });
  }
});

describe('recorded histories replay with the recorded inputs and results', () => {
  for (const name of sameInputs) {
    it(name, async () => {
      const file = `${name}.history.bin`;
      const expected = await recorded(decode(file));
      const commands = replay(file);
      assert.ok(
        expected.some((c) => c.kind === 'activity'),
        'the history schedules activities',
      );
      const place = (c: Command) => changePlace(reportPlace({ kind: c.kind, value: withoutVoteRoles(c.value) }));
      assert.deepEqual(asReplayed(commands, expected).map(place), expected.map(place));
    });
  }
});
