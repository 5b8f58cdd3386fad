/**
 * Integration tests of a runbook that mends a subsystem (exchange recovery, the procurement push
 * retry): one estate for the file — ICBC open all day on a working day, the runbook approved by
 * comm-approvers, the test users, the in-process worker — with every fault cleared after each case;
 * the subsystem's findings as subsystem health sees them; a run approved as wang; and a run on a
 * worker lane of its own, killed once while it changes things.
 */
import { after, afterEach, before } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { SubsystemHealthResult } from '../../domain/runbooks/subsystem-health.types.ts';
import {
  addTestUsers,
  decide,
  gateUnlessEnded,
  signedBy,
  waitForGate,
  type WaitingGate,
} from './approvals.ts';
import { startTestEstate, type TestEstate } from './estate.ts';
import { openAllDay, workingTodayCalendar } from './open-all-day.ts';
import { WorkerLane } from './worker-lane.ts';

export interface SubsystemRunbookTest {
  /** A fresh workflow id of the runbook's, e.g. `exchange-recovery/budget-exchange/test-hung-…`. */
  id(what: string): string;
  /** The subsystem's findings from a subsystem-health run: `subsystem/check/code/fixRunbook`. */
  health(): Promise<string[]>;
  /** A run on the in-process worker, approved as wang when it asks; its result. */
  approved<R>(what: string, input: Record<string, unknown>): Promise<R>;
  /**
   * A run on a worker lane of its own (`tag`), approved as wang, its worker killed (kill -9) once
   * `seen` holds and before it reports; the plan it asked approval for, its result, and what the
   * kill landed on.
   */
  killedOnce<R>(options: {
    tag: string;
    what: string;
    input: Record<string, unknown>;
    killedAt: string;
    seen: () => Promise<boolean>;
  }): Promise<{ gate: WaitingGate; result: R; kills: string[] }>;
}

export function subsystemRunbookTest(options: {
  runbook: string;
  workflowType: string;
  /** The subsystem in the runbook's workflow ids and the one subsystem health looks at. */
  subsystem: string;
  /** The estate once started, before the worker starts: the file keeps it, starts a subsystem's process. */
  started: (estate: TestEstate) => unknown;
}): SubsystemRunbookTest {
  let estate: TestEstate | undefined;
  let runs = 0;
  const calendar = workingTodayCalendar();
  before(async () => {
    estate = await startTestEstate({ banks: ['ICBC'], edit: openAllDay(calendar.file, options.runbook) });
    await addTestUsers(estate.site);
    await options.started(estate);
    await estate.startWorker();
  });
  // Each case starts from a well estate, whatever the one before left.
  afterEach(async () => {
    await estate?.sandbox.subsystems.faults.clear({});
  });
  after(async () => {
    await estate?.stop();
    calendar.remove();
  });
  const started = (): TestEstate => {
    if (!estate) throw new Error('the estate has not started');
    return estate;
  };
  const id = (what: string) =>
    `${options.runbook}/${options.subsystem}/test-${what}-${Date.now()}-${(runs += 1)}`;

  async function approve<R>(handle: WorkflowHandle): Promise<R> {
    const e = started();
    let ended = false;
    const result = (handle.result() as Promise<R>).finally(() => (ended = true));
    const gate = await gateUnlessEnded(e.client, handle.workflowId, () => ended);
    if (gate) await decide(e.client, handle.workflowId, signedBy(e.site, gate, 'wang'));
    return result;
  }

  return {
    id,
    async health() {
      const e = started();
      const result: SubsystemHealthResult = await e.client.workflow.execute('subsystemHealth', {
        taskQueue: e.site.temporal.taskQueues.runbooks,
        workflowId: `subsystem-health/test-${Date.now()}-${(runs += 1)}`,
        args: [{ subsystems: [options.subsystem] }],
      });
      return result.findings.map((f) => `${f.subsystem}/${f.check}/${f.code}/${f.fixRunbook}`);
    },
    async approved<R>(what: string, input: Record<string, unknown>) {
      const e = started();
      const handle = await e.client.workflow.start(options.workflowType, {
        taskQueue: e.site.temporal.taskQueues.runbooks,
        workflowId: id(what),
        args: [input],
      });
      return approve<R>(handle);
    },
    async killedOnce<R>(o: {
      tag: string;
      what: string;
      input: Record<string, unknown>;
      killedAt: string;
      seen: () => Promise<boolean>;
    }) {
      const e = started();
      const lane = new WorkerLane(e, o.tag);
      try {
        await lane.start();
        const workflowId = id(o.what);
        const handle = await lane.startWorkflow(options.workflowType, workflowId, o.input, {
          workflowTaskTimeout: '2s',
        });
        const gate = await waitForGate(e.client, workflowId);
        await decide(e.client, workflowId, signedBy(e.site, gate, 'wang'));
        lane.holdReports();
        await lane.killWhen(o.killedAt, o.seen);
        const result = (await handle.result()) as R;
        return { gate, result, kills: lane.kills };
      } finally {
        await lane.close();
      }
    },
  };
}
