/** A run refused as bad input: failed at once, non-retryably, as InvalidInput naming the field, with nothing recorded. */
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { SiteConfig } from '../../temporal.config.ts';
import { auditKinds } from './worker-lane.ts';

export async function refusedAsInvalidInput(
  site: SiteConfig,
  workflowId: string,
  result: Promise<unknown>,
  field: RegExp,
): Promise<void> {
  await assert.rejects(result, (err: unknown) => {
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'InvalidInput');
    assert.match(err.cause.message, field);
    return true;
  });
  assert.deepEqual(await auditKinds(site, workflowId), [], 'nothing recorded');
}
