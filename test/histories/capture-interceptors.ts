/**
 * Workflow interceptors for replay.test.ts: while a recorded history replays, every command the
 * current code issues — activity with its input and task queue, timer, child workflow, signal —
 * and the run's result or failure go out through the `capture` sink, so the test can hold them
 * against what the recorded run scheduled. Replay alone checks command kinds and types; the
 * inputs carry audit keys, query ids, lock names and plan digests a run in flight relies on.
 * Serialised inside the workflow so later mutation cannot change what was seen.
 */
import { proxySinks, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export interface CaptureSinks extends Sinks {
  capture: { command(kind: CapturedKind, json: string): void };
}

export type CapturedKind = 'activity' | 'timer' | 'child' | 'signal' | 'result' | 'failure';

const { capture } = proxySinks<CaptureSinks>();
const record = (kind: CapturedKind, value: unknown) => capture.command(kind, JSON.stringify(value) ?? 'null');

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      async execute(input, next) {
        try {
          const result = await next(input);
          record('result', result);
          return result;
        } catch (err) {
          record('failure', (err as Error).message);
          throw err;
        }
      },
    },
  ],
  outbound: [
    {
      scheduleActivity(input, next) {
        record('activity', {
          type: input.activityType,
          taskQueue: input.options.taskQueue ?? null,
          args: input.args,
        });
        return next(input);
      },
      startTimer(input, next) {
        record('timer', input.durationMs);
        return next(input);
      },
      startChildWorkflowExecution(input, next) {
        record('child', {
          type: input.workflowType,
          workflowId: input.options.workflowId,
          args: input.options.args,
        });
        return next(input);
      },
      signalWorkflow(input, next) {
        record('signal', {
          name: input.signalName,
          workflowId:
            input.target.type === 'child' ? input.target.childWorkflowId : input.target.workflowExecution.workflowId,
          args: input.args,
        });
        return next(input);
      },
    },
  ],
});
