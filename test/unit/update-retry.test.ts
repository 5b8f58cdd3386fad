import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServiceError } from '@temporalio/client';
import { updateOnceTaskRecovers } from '../../connectors/temporal/update-retry.ts';

const taskFailed = () =>
  new ServiceError('Workflow Update failed', {
    cause: new Error(
      '9 FAILED_PRECONDITION: Unable to perform workflow execution update due to Workflow Task in failed state.',
    ),
  });

test('an update refused while the workflow task is in failed state is sent again until it is admitted', async () => {
  let sent = 0;
  const answer = await updateOnceTaskRecovers(
    async () => {
      sent += 1;
      if (sent < 3) throw taskFailed();
      return 'accepted';
    },
    { pauseMs: 1 },
  );
  assert.deepEqual([answer, sent], ['accepted', 3]);
});

test('any other error is the caller’s at once, and this one once the patience is spent', async () => {
  let sent = 0;
  const other = new ServiceError('Workflow Update failed', { cause: new Error('5 NOT_FOUND') });
  await assert.rejects(
    updateOnceTaskRecovers(async () => {
      sent += 1;
      throw other;
    }),
    (err) => err === other,
  );
  assert.equal(sent, 1);
  await assert.rejects(
    updateOnceTaskRecovers(
      async () => {
        throw taskFailed();
      },
      { patienceMs: 20, pauseMs: 5 },
    ),
    /Workflow Update failed/,
  );
});
