/**
 * What Temporal says about runs now, as they change: the current run under a workflow id (whether
 * it runs, its type, task queue and parent), and the children a run has started and not seen
 * close. Unlike run-facts.ts nothing here is cached — a lock is held only while its run is
 * running. The lock activities and the lock check where changes happen ask it about resource locks.
 */
import type { WorkflowService } from '@temporalio/client';
import proto from '@temporalio/proto';

export interface CurrentRun {
  runId: string;
  running: boolean;
  workflowType: string;
  taskQueue: string;
  parent?: { workflowId: string; runId: string };
}

export interface ChildRun {
  workflowId: string;
  runId: string;
  workflowType: string;
}

export interface CurrentRunReader {
  /** The latest run under `workflowId`, or undefined when there has been none. */
  current(workflowId: string): Promise<CurrentRun | undefined>;
  /**
   * The children `run` started whose close it has not seen, as its own history records them (a
   * reset run keeps those of the run it was reset from, even when they have ended since).
   */
  pendingChildren(run: { workflowId: string; runId: string }): Promise<ChildRun[]>;
}

const runningStatus = proto.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
/** gRPC NOT_FOUND. */
const notFound = 5;

export function createCurrentRunReader(service: WorkflowService, namespace: string): CurrentRunReader {
  const describe = async (execution: { workflowId: string; runId?: string }) => {
    try {
      return await service.describeWorkflowExecution({ namespace, execution });
    } catch (err) {
      if ((err as { code?: number }).code === notFound) return undefined;
      throw err;
    }
  };
  return {
    async current(workflowId) {
      const info = (await describe({ workflowId }))?.workflowExecutionInfo;
      if (!info?.execution?.runId) return undefined;
      const parent = info.parentExecution;
      return {
        runId: info.execution.runId,
        running: info.status === runningStatus,
        workflowType: info.type?.name ?? '',
        taskQueue: info.taskQueue ?? '',
        ...(parent?.workflowId &&
          parent.runId && { parent: { workflowId: parent.workflowId, runId: parent.runId } }),
      };
    },
    async pendingChildren(run) {
      const children = (await describe(run))?.pendingChildren ?? [];
      return children.map((c) => ({
        workflowId: c.workflowId ?? '',
        runId: c.runId ?? '',
        workflowType: c.workflowTypeName ?? '',
      }));
    },
  };
}
