/**
 * This run's tag (domain/run-tag.ts), from the run id Temporal recorded when the run started. A
 * reset keeps that id, so a reset run replays the child workflow ids it made before the reset point
 * (Temporal holds a replay to them) and finds what it had already pushed or filed; another run
 * under the same workflow id, however soon after, has a tag of its own.
 */
import { patched, workflowInfo } from '@temporalio/workflow';
import { runTag } from '../../domain/run-tag.ts';

/** Runs begun before `patch` go on with the tag they began with, `legacy` of their run id. */
export function thisRunTag(patch: string, legacy: (runId: string) => string): string {
  const { runId, originalExecutionRunId } = workflowInfo();
  return patched(patch) ? runTag(originalExecutionRunId) : legacy(runId);
}
