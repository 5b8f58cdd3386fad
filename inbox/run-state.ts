/**
 * How the inbox reads runs: one run's answer to a query within a deadline — its `approvalState`,
 * or its `handState` (an unknown run, or one without that handler, is RunNotFoundError; a server
 * or worker that does not answer in time, TemporalUnavailableError) — and the answers of the runs
 * a visibility query finds, a few queries at a time. The approvals, the claims and the operator's
 * hand read runs this one way.
 */
import {
  QueryNotRegisteredError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import type { Logger } from 'pino';
import type { ApprovalState } from '../domain/approvals/gate-types.ts';
import { approvalStateQuery } from '../workflows/shared/approval-definitions.ts';

export class RunNotFoundError extends Error {
  constructor(readonly workflowId: string) {
    super(`no approval-gated run ${workflowId}`);
    this.name = 'RunNotFoundError';
  }
}

/** Temporal did not answer in time (server down, or no worker to answer the query). */
export class TemporalUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TemporalUnavailableError';
  }
}

export interface RunStateReader {
  /** Runs a Temporal call; past the deadline it throws TemporalUnavailableError. */
  withDeadline<T>(what: string, fn: () => Promise<T>): Promise<T>;
  /** The run's approval state; throws RunNotFoundError when there is no such gated run. */
  state(workflowId: string): Promise<ApprovalState>;
  /** The run's answer to `query`; throws RunNotFoundError when there is no such run or handler. */
  ask<T>(workflowId: string, query: QueryDefinition<T>): Promise<T>;
  /** The first 200 runs `visibility` finds, as visibility has them (no run is asked anything). */
  list(visibility: string, what: string): Promise<WorkflowExecutionInfo[]>;
  /**
   * The first 200 runs `visibility` finds, each with its answer to `query` (default the approval
   * state); a run gone meanwhile or without the handler is left out, one that does not answer is
   * counted as unavailable (and logged).
   */
  listStates(visibility: string, what: string): Promise<{ runs: ListedRun[]; unavailable: number }>;
  listAnswers<T>(
    visibility: string,
    query: QueryDefinition<T>,
    what: string,
  ): Promise<{ runs: ListedRun<T>[]; unavailable: number }>;
}

export interface ListedRun<T = ApprovalState> {
  info: WorkflowExecutionInfo;
  state: T;
}

// Every runbook tags its run with `Runbook` at its opening; locks and batches carry none.
export const runningRunbooks = 'ExecutionStatus = "Running" AND Runbook IS NOT NULL';

const listLimit = 200;
const queryConcurrency = 8;

export function createRunStateReader(deps: {
  client: Client;
  log: Logger;
  timeoutMs: number;
}): RunStateReader {
  const { client, log, timeoutMs } = deps;
  const withDeadline = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await client.connection.withDeadline(Date.now() + timeoutMs, fn);
    } catch (err) {
      if (isDeadline(err))
        throw new TemporalUnavailableError(`${what}: no answer within ${timeoutMs} ms`, { cause: err });
      throw err;
    }
  };

  async function ask<T>(workflowId: string, query: QueryDefinition<T>): Promise<T> {
    try {
      return await withDeadline(`${query.name} of ${workflowId}`, () =>
        client.workflow.getHandle(workflowId).query(query),
      );
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || err instanceof QueryNotRegisteredError || isNotFound(err))
        throw new RunNotFoundError(workflowId);
      throw err;
    }
  }

  async function list(visibility: string, what: string): Promise<WorkflowExecutionInfo[]> {
    const found: WorkflowExecutionInfo[] = [];
    await withDeadline(what, async () => {
      for await (const wf of client.workflow.list({ query: visibility })) {
        found.push(wf);
        if (found.length >= listLimit) break;
      }
    });
    return found;
  }

  async function listAnswers<T>(
    visibility: string,
    query: QueryDefinition<T>,
    what: string,
  ): Promise<{ runs: ListedRun<T>[]; unavailable: number }> {
    const found = await list(visibility, what);
    const runs: ListedRun<T>[] = [];
    let unavailable = 0;
    for (let i = 0; i < found.length; i += queryConcurrency) {
      const batch = found.slice(i, i + queryConcurrency);
      const answers = await Promise.allSettled(batch.map((wf) => ask(wf.workflowId, query)));
      answers.forEach((r, j) => {
        const info = batch[j] as WorkflowExecutionInfo;
        if (r.status === 'fulfilled') runs.push({ info, state: r.value });
        else if (!(r.reason instanceof RunNotFoundError)) {
          unavailable += 1;
          log.warn(
            { workflowId: info.workflowId, query: query.name, err: r.reason },
            'run state unavailable',
          );
        }
      });
    }
    return { runs, unavailable };
  }

  return {
    withDeadline,
    state: (workflowId) => ask(workflowId, approvalStateQuery),
    ask,
    list,
    listStates: (visibility, what) => listAnswers(visibility, approvalStateQuery, what),
    listAnswers,
  };
}

function grpcCode(err: unknown): unknown {
  return (
    (err as { code?: unknown; cause?: { code?: unknown } }).code ??
    (err as { cause?: { code?: unknown } }).cause?.code
  );
}

function isDeadline(err: unknown): boolean {
  const code = grpcCode(err);
  // gRPC DEADLINE_EXCEEDED (4) and UNAVAILABLE (14).
  return code === 4 || code === 14 || /deadline exceeded/i.test(String((err as Error)?.message));
}

function isNotFound(err: unknown): boolean {
  return grpcCode(err) === 5; // gRPC NOT_FOUND
}
