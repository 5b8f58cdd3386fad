/**
 * The operator's hand over a fan-out (`hand.fanOut`, the helper the year-end rollover sends each
 * bank its notices through), on the dev server: a step run for five banks goes on when no more than
 * the site's share of them (20 %) fails, and pauses and asks when more do — a retry runs only the
 * banks that failed, a skip (with a reason, by an approver) goes on without them.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import type { HandState } from '../../domain/approvals/hand-decision.ts';
import { handStateQuery } from '../../workflows/shared/hand-definitions.ts';
import type { fanOutFixture, FanOutFixtureResult } from '../inbox/fixtures/fan-out-fixture.ts';
import { startApprovalTestbed, type ApprovalTestbed } from '../support/approval-testbed.ts';
import { decideStep, handBy, waitForPause } from '../support/hand.ts';
import { signedStartMemo } from '../support/signed-starts.ts';

const banks = ['ICBC', 'ABC', 'BOC', 'CCB', 'RCB'];
/** The banks whose step fails now, and how often each bank's step ran. */
const failing = new Set<string>();
const calls = new Map<string, number>();

let tb: ApprovalTestbed;

before(async () => {
  tb = await startApprovalTestbed({
    activities: {
      async fanOutStep({ bank }: { bank: string }): Promise<string> {
        calls.set(bank, (calls.get(bank) ?? 0) + 1);
        if (failing.has(bank))
          throw ApplicationFailure.create({
            type: 'BankRejected',
            nonRetryable: true,
            message: `${bank} refused the notice`,
          });
        return `${bank} confirmed`;
      },
    },
  });
});
after(async () => {
  await tb?.stop();
});

let runs = 0;
async function fanOut(failingBanks: string[]) {
  failing.clear();
  failingBanks.forEach((b) => failing.add(b));
  calls.clear();
  const workflowId = `fan-out-fixture/${Date.now()}/${++runs}`;
  const input = { requestedBy: tb.people.requester.id, banks };
  return tb.client.workflow.start<typeof fanOutFixture>('fanOutFixture', {
    taskQueue: tb.taskQueue,
    workflowId,
    args: [input],
    memo: signedStartMemo(tb.site, {
      workflowType: 'fanOutFixture',
      workflowId,
      taskQueue: tb.taskQueue,
      input,
      user: input.requestedBy,
    }),
  });
}

it('goes on when no more than the share of banks fails', async () => {
  const result: FanOutFixtureResult = await (await fanOut(['BOC'])).result();
  assert.deepEqual(result.failed, ['BOC']);
  assert.deepEqual(result.done.sort(), ['ABC', 'CCB', 'ICBC', 'RCB']);
});

it('pauses when more fail; a retry runs the failed banks only, a skip goes on without them', async () => {
  const handle = await fanOut(['BOC', 'CCB']);
  const pause = await waitForPause(tb.client, handle.workflowId, 'notify-banks');
  assert.equal(pause.trouble.type, 'FanOutFailed');
  assert.match(pause.trouble.message, /2 of 5 failed \(more than 20%\)/);
  assert.deepEqual(
    (pause.evidence as { key: string; message: string }[]).map((e) => `${e.key}: ${e.message}`).sort(),
    ['BOC: BOC refused the notice', 'CCB: CCB refused the notice'],
  );
  assert.deepEqual(pause.choices, ['retry', 'skip', 'abort']);

  // CCB mends its side; a retry asks only BOC and CCB again, and one failure of five is within the share.
  failing.delete('CCB');
  await decideStep(tb.client, handle.workflowId, handBy(tb.site, pause, tb.people.requester.id, 'retry'));
  const retried = await handle.result();
  assert.deepEqual(retried.failed, ['BOC']);
  assert.deepEqual(Object.fromEntries(calls), { ICBC: 1, ABC: 1, BOC: 2, CCB: 2, RCB: 1 });

  const again = await fanOut(['ABC', 'BOC', 'CCB']);
  const second = await waitForPause(tb.client, again.workflowId, 'notify-banks');
  await decideStep(
    tb.client,
    again.workflowId,
    handBy(tb.site, second, tb.people.approver.id, 'skip', { reason: '三家银行改为人工通知' }),
  );
  const skipped = await again.result();
  assert.deepEqual(skipped.failed.sort(), ['ABC', 'BOC', 'CCB']);
  const state: HandState = await again.query(handStateQuery);
  assert.deepEqual(
    state.decided.map((d) => [d.pause.step, d.decision.action, d.decision.user]),
    [['notify-banks', 'skip', tb.people.approver.id]],
  );
});
