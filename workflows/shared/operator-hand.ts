/**
 * The operator's hand on a failed step, for every runbook: a step wrapped in `hand.step(...)` that
 * fails past its retry profile, or finds a state it did not expect, does not fail the run — the run
 * pauses and asks, in the inbox (a page per paused step) and the CLI: retry the step, skip it (when
 * the step can do without: with a reason, by a role the site allows, never by the run's requester),
 * or abort the run (with a reason; the runbook's compensations run, under its lock, and it ends with
 * its report — see `holdingLock`). A fan-out over banks pauses the same way when more than the
 * site's share of them fails.
 *
 * Decisions arrive as the `decideStep` update, signed by a front door for this run and this pause;
 * its validator (domain/approvals/hand-rules.ts) refuses anything forged, unsigned, replayed, for
 * another run or pause, too old, or by someone without the role — leaving no event in history.
 * Accepted decisions are audited whole (their nonce bound to the run in the nonce ledger by the
 * audit guard) and notified with a link, as approvals are.
 *
 * A run opened with the hand carries a `patched('operator-hand')` marker; a run recorded before
 * the hand has none, and its steps run bare, exactly as they were decided (a failure failed it, an
 * unexpected state went on, and no step adds a turn of the event loop that would reorder its
 * commands against an update's).
 */
import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  condition,
  patched,
  setHandler,
  TemporalFailure,
  workflowInfo,
} from '@temporalio/workflow';
import type { createApprovalActivities } from '../../activities/approvals.ts';
import type { Bilingual } from '../../domain/approvals/gate-types.ts';
import {
  boundedEvidence,
  handActions,
  pausedStepPath,
  signedHandDecisionSchema,
  type HandAction,
  type HandDecisionView,
  type HandPolicy,
  type HandReceipt,
  type HandRecord,
  type PausedStep,
  type StepTrouble,
} from '../../domain/approvals/hand-decision.ts';
import { checkHandDecision } from '../../domain/approvals/hand-rules.ts';
import { mapWithConcurrency } from '../../domain/concurrency.ts';
import { ErrorKind } from '../../domain/errors.ts';
import { runbookTitleZh } from '../../domain/runbooks/catalog.ts';

import { decideStepUpdate, handStateQuery } from './hand-definitions.ts';
import { readActivities } from './retry-profiles.ts';
import type { RunRecord } from './run-record.ts';

type Approvals = ReturnType<typeof createApprovalActivities>;

/** What a step found that the run did not expect: the people are shown it and asked. */
export interface Unexpected {
  message: string;
  evidence?: unknown;
}

export interface StepOptions<T> {
  /** Judges what the step found: undefined when it is what the run expects. */
  expect?: (found: T) => Unexpected | undefined;
  /**
   * What skipping the step means and what the run goes on with (`found` is what an unexpected
   * step found; undefined after a failure). Without it a failed step cannot be skipped, and an
   * unexpected one is skipped by going on with what it found.
   */
  skip?: { means: Bilingual; value: (found: T | undefined) => T };
  /** What the people are shown besides the error: what the step was working on (nothing secret). */
  evidence?: () => unknown;
}

export interface FanOutResult<K, T> {
  done: Map<K, T>;
  /** The items that failed and were skipped by an operator, or stayed within the site's share. */
  failed: { key: K; trouble: StepTrouble }[];
}

/** A compensation run when the run was aborted. */
export interface Compensation {
  name: string;
  ok: boolean;
  error?: string;
  at: string;
}

/** How an abort ended the run: who aborted it, where, and what was undone. */
export interface Abort {
  decision: HandDecisionView;
  compensations: Compensation[];
}

export interface OperatorHand {
  /** Runs a named step; when it fails past its retry profile or finds what it did not expect, pauses and asks. */
  step<T>(name: string, body: () => Promise<T>, options?: StepOptions<T>): Promise<T>;
  /**
   * Runs a step for each key (each bank), `concurrency` at a time; when more than the site's share
   * of them fails, pauses and asks — a retry runs the failed ones again, a skip goes on without them.
   */
  fanOut<K extends string, T>(
    name: string,
    keys: readonly K[],
    each: (key: K) => Promise<T>,
    options?: { concurrency?: number },
  ): Promise<FanOutResult<K, T>>;
  /** Registers what undoes a change just made, should the run be aborted before it is `settled`. */
  compensate(name: string, undo: () => Promise<void>): void;
  /** The change `name` no longer needs undoing. */
  settled(name: string): void;
  /** After an abort: runs the pending compensations, the latest first, each once. */
  unwind(): Promise<Compensation[]>;
  /** Every pause and how it was decided, in order. */
  history(): HandRecord[];
}

/** Failures no operator's retry or skip may get past: a refused authority, a bad input. */
const passThrough: readonly string[] = [
  ErrorKind.ApprovalProofRefused,
  ErrorKind.ForeignRun,
  ErrorKind.ResourceLocked,
  ErrorKind.InvalidInput,
  ErrorKind.RunAborted,
];

const messageChars = 1000;

export function createOperatorHand(options: {
  runbook: string;
  record: RunRecord;
  bankCodes: string[];
  /** The run's requester now (a claimant once claimed): never the one to skip its steps. */
  requestedBy: () => string;
  /** Shows a pause in the progress query, and puts the run's own step back after it. */
  progress: { now(): string; set(step: string): void };
}): OperatorHand {
  const { runbook, record, bankCodes, requestedBy, progress } = options;
  const { workflowId, runId, namespace } = workflowInfo();
  const approvals = readActivities<Approvals>();
  const title = runbookTitleZh(runbook);
  const usedNonces = new Set<string>();
  const records: HandRecord[] = [];
  const pending: { name: string; undo: () => Promise<void> }[] = [];
  let policy: HandPolicy | null = null;
  let paused: PausedStep | null = null;
  let chosen: HandDecisionView | undefined;
  let opened = 0;
  // Runs recorded before the hand replay without it (see the module header).
  const active = patched('operator-hand');

  setHandler(handStateQuery, () => ({
    runbook,
    runId,
    requestedBy: requestedBy(),
    paused,
    decided: records,
  }));

  setHandler(
    decideStepUpdate,
    async (raw): Promise<HandReceipt> => {
      // Judged by the validator (not run again on replay: nothing here may read the clock).
      // Taken before the first await, so a second decision finds nothing paused.
      const decision = signedHandDecisionSchema.parse(raw);
      const pause = paused;
      if (!pause)
        throw ApplicationFailure.create({
          type: ErrorKind.HandDecisionRefused,
          nonRetryable: true,
          message: 'the pause closed before this decision',
        });
      const { claims, keyId, signature } = decision;
      usedNonces.add(claims.nonce);
      paused = null;
      chosen = {
        pauseId: pause.pauseId,
        step: pause.step,
        action: claims.action,
        user: claims.user,
        ...(claims.reason !== undefined && { reason: claims.reason }),
        at: claims.issuedAt,
        via: claims.via,
        keyId,
        nonce: claims.nonce,
      };
      await record.audit({
        kind: 'hand-decision',
        actor: claims.user,
        subject: pause.pauseId,
        payload: { ...chosen, claims, signature },
        key: `hand/${claims.nonce}`,
      });
      await record.notify({
        kind: 'step-decided',
        title: `${actionTitles[claims.action]}：${title}（${pause.step}）`,
        lines: [
          `运行：${workflowId}`,
          `步骤：${pause.step}`,
          `处置：${actionTitles[claims.action]}（${claims.user}）`,
          ...(claims.reason ? [`理由：${claims.reason}`] : []),
        ],
        link: linkTo(),
        bankCodes,
        key: `decided/${pause.pauseId}`,
      });
      return { pauseId: pause.pauseId, action: claims.action };
    },
    {
      validator: (raw) => {
        const check = checkHandDecision(raw, {
          namespace,
          workflowId,
          runId,
          requestedBy: requestedBy(),
          paused,
          policy,
          nowMs: Date.now(),
          usedNonces,
        });
        if (!check.ok)
          throw ApplicationFailure.create({
            type: ErrorKind.HandDecisionRefused,
            message: `Hand decision refused (${check.reason}): ${check.message}`,
            details: [check.reason],
            nonRetryable: true,
          });
      },
    },
  );

  const linkTo = () => `${policy?.inboxUrl ?? ''}${pausedStepPath(workflowId)}`;

  /** Shows the pause, waits for an operator's decision, and carries it out: an abort ends the run here. */
  async function pause(p: {
    step: string;
    trouble: StepTrouble;
    evidence?: unknown;
    attempts: number;
    skipMeans?: Bilingual;
  }): Promise<'retry' | 'skip'> {
    policy ??= await approvals.loadHandPolicy({ runbook });
    opened += 1;
    const choices = handActions.filter((a) => a !== 'skip' || p.skipMeans);
    const view: PausedStep = {
      pauseId: `${p.step}-${opened}`,
      step: p.step,
      runbook,
      workflowId,
      requestedBy: requestedBy(),
      trouble: p.trouble,
      ...(p.evidence !== undefined && { evidence: boundedEvidence(p.evidence) }),
      attempts: p.attempts,
      choices,
      ...(p.skipMeans && { skipMeans: p.skipMeans }),
      roles: policy.roles,
      pausedAt: new Date().toISOString(),
      bankCodes,
    };
    const before = progress.now();
    progress.set(`paused:${p.step}`);
    await record.audit({
      kind: 'step-paused',
      actor: 'system',
      subject: view.pauseId,
      payload: {
        step: view.step,
        trouble: view.trouble,
        evidence: view.evidence ?? null,
        attempts: view.attempts,
        choices,
      },
      key: `paused/${view.pauseId}`,
    });
    paused = view;
    await record.notify({
      kind: 'step-paused',
      title: `运行暂停，待处置：${title}（${p.step}）`,
      lines: [
        `运行：${workflowId}`,
        `步骤：${p.step}（第 ${p.attempts} 次）`,
        `${p.trouble.cause === 'failed' ? '失败' : '状态异常'}：${p.trouble.message}`,
        `可选处置：${choices.map((a) => actionTitles[a]).join(' / ')}`,
      ],
      link: linkTo(),
      roles: [...new Set(choices.flatMap((a) => view.roles[a]))],
      bankCodes,
      key: `paused/${view.pauseId}`,
    });
    await condition(() => chosen !== undefined);
    const decision = chosen as HandDecisionView;
    chosen = undefined;
    records.push({ pause: keptOf(view), decision });
    progress.set(before);
    if (decision.action === 'abort') throw aborted(decision);
    return decision.action;
  }

  /** Runs a step until it goes well, or an operator skips it (an abort ends the run from `pause`). */
  async function guarded<T>(name: string, body: () => Promise<T>, opts: StepOptions<T>): Promise<T> {
    for (let attempts = 1; ; attempts++) {
      let found: T;
      try {
        found = await body();
      } catch (err) {
        if (!pausable(err)) throw err;
        const choice = await pause({
          step: name,
          trouble: troubleOf(err),
          evidence: opts.evidence?.(),
          attempts,
          ...(opts.skip && { skipMeans: opts.skip.means }),
        });
        if (choice === 'retry' || !opts.skip) continue;
        return opts.skip.value(undefined);
      }
      const unexpected = opts.expect?.(found);
      if (!unexpected) return found;
      const choice = await pause({
        step: name,
        trouble: {
          cause: 'unexpected',
          type: ErrorKind.UnexpectedState,
          message: bounded(unexpected.message),
        },
        evidence: unexpected.evidence ?? opts.evidence?.(),
        attempts,
        skipMeans: opts.skip?.means ?? goOnAsFound,
      });
      if (choice === 'retry') continue;
      return opts.skip ? opts.skip.value(found) : found;
    }
  }

  return {
    step<T>(name: string, body: () => Promise<T>, opts: StepOptions<T> = {}): Promise<T> {
      return active ? guarded(name, body, opts) : body();
    },

    async fanOut<K extends string, T>(
      name: string,
      keys: readonly K[],
      each: (key: K) => Promise<T>,
      opts: { concurrency?: number } = {},
    ): Promise<FanOutResult<K, T>> {
      const done = new Map<K, T>();
      let todo = [...keys];
      for (let attempts = 1; ; attempts++) {
        const failed: FanOutResult<K, T>['failed'] = [];
        await mapWithConcurrency(todo, opts.concurrency ?? 10, async (key) => {
          try {
            done.set(key, await each(key));
          } catch (err) {
            if (!pausable(err)) throw err;
            failed.push({ key, trouble: troubleOf(err) });
          }
        });
        if (failed.length === 0 || !active) return { done, failed };
        policy ??= await approvals.loadHandPolicy({ runbook });
        if (failed.length <= keys.length * policy.fanOutFailedShare) return { done, failed };
        const choice = await pause({
          step: name,
          trouble: {
            cause: 'failed',
            type: 'FanOutFailed',
            message: `${failed.length} of ${keys.length} failed (more than ${Math.round(policy.fanOutFailedShare * 100)}%)`,
          },
          evidence: failed.map((f) => ({ key: f.key, ...f.trouble })),
          attempts,
          skipMeans: { zh: '不再处理失败的各项，继续运行', en: 'go on without the items that failed' },
        });
        if (choice === 'skip') return { done, failed };
        todo = failed.map((f) => f.key);
      }
    },

    compensate(name, undo) {
      const i = pending.findIndex((c) => c.name === name);
      if (i >= 0) pending.splice(i, 1);
      pending.push({ name, undo });
    },

    settled(name) {
      const i = pending.findIndex((c) => c.name === name);
      if (i >= 0) pending.splice(i, 1);
    },

    async unwind() {
      const results: Compensation[] = [];
      while (pending.length > 0) {
        const { name, undo } = pending.pop() as (typeof pending)[number];
        try {
          await undo();
          results.push({ name, ok: true, at: new Date().toISOString() });
        } catch (err) {
          if (!(err instanceof TemporalFailure)) throw err;
          results.push({ name, ok: false, error: troubleOf(err).message, at: new Date().toISOString() });
        }
      }
      return results;
    },

    history: () => records,
  };
}

const actionTitles: Record<HandAction, string> = { retry: '重试', skip: '跳过', abort: '中止' };
const goOnAsFound: Bilingual = { zh: '接受当前状态，继续运行', en: 'accept the state found and go on' };

/** The failure that ends an aborted run, once its compensations have run and its report is written. */
function aborted(decision: HandDecisionView): ApplicationFailure {
  return ApplicationFailure.create({
    type: ErrorKind.RunAborted,
    nonRetryable: true,
    message: `Run aborted by ${decision.user} at step ${decision.step}: ${decision.reason ?? ''}`,
    details: [decision],
  });
}

export function isRunAborted(err: unknown): err is ApplicationFailure {
  return err instanceof ApplicationFailure && err.type === ErrorKind.RunAborted;
}

/** The decision an abort carried. */
export function abortDecision(err: ApplicationFailure): HandDecisionView {
  return err.details?.[0] as HandDecisionView;
}

/** An activity or child that failed past its retries, or a state a step did not expect. */
function pausable(err: unknown): boolean {
  if (err instanceof ActivityFailure || err instanceof ChildWorkflowFailure) {
    const cause = err.cause;
    return !(cause instanceof ApplicationFailure && passThrough.includes(cause.type ?? ''));
  }
  return err instanceof ApplicationFailure && err.type === ErrorKind.UnexpectedState;
}

/** What went wrong, in the failure's own words: its type and message, and the activity or child that failed. */
function troubleOf(err: unknown): StepTrouble {
  const inner = err instanceof ActivityFailure || err instanceof ChildWorkflowFailure ? err.cause : err;
  const type =
    inner instanceof ApplicationFailure
      ? (inner.type ?? 'Error')
      : ((inner as Error | undefined)?.name ?? 'Error');
  const source =
    err instanceof ActivityFailure
      ? err.activityType
      : err instanceof ChildWorkflowFailure
        ? err.execution.workflowId
        : undefined;
  return {
    cause:
      err instanceof ApplicationFailure && err.type === ErrorKind.UnexpectedState ? 'unexpected' : 'failed',
    type,
    message: bounded((inner as Error | undefined)?.message ?? String(err)),
    ...(source && { source }),
  };
}

/** A pause as the run's record keeps it: without what only the waiting needs. */
function keptOf(view: PausedStep): HandRecord['pause'] {
  return {
    pauseId: view.pauseId,
    step: view.step,
    trouble: view.trouble,
    ...(view.evidence !== undefined && { evidence: view.evidence }),
    attempts: view.attempts,
    choices: view.choices,
    ...(view.skipMeans && { skipMeans: view.skipMeans }),
    pausedAt: view.pausedAt,
  };
}

const bounded = (text: string) => (text.length > messageChars ? `${text.slice(0, messageChars - 1)}…` : text);
