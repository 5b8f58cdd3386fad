/**
 * What `runbook status --follow` shows at one look, from a run's progress and approval state: the
 * notes, the bar a terminal redraws and the plain line a pipe gets; and the visibility queries
 * `runbook list` builds from its filters.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApprovalState, PendingApprovalView } from '../../domain/approvals/gate-types.ts';
import { barLine, followFrame, tallyLine } from '../../scripts/lib/follow-frame.ts';
import { runListQuery, RunListFilterError } from '../../scripts/lib/run-list.ts';

const at = {
  workflowId: 'voucher-resend/ICBC/2026-11-27',
  inboxUrl: 'https://inbox.example/',
  timeZone: 'Asia/Shanghai',
};

const pending = {
  gateId: 'resend-1',
  step: 'resend',
  quorum: 2,
  roles: ['finance-approver'],
  escalated: false,
  votes: [{ user: 'wang', verdict: 'approve' }],
  expireAt: '2026-11-27T10:00:00.000Z',
} as unknown as PendingApprovalView;

const state = (over: Partial<ApprovalState>): ApprovalState =>
  ({ awaitingClaim: false, pending: null, closed: [], ...over }) as ApprovalState;

describe('follow frame', () => {
  it('counts vouchers before banks, and draws the share done as a bar', () => {
    const frame = followFrame(
      {
        runbook: 'voucher-resend',
        step: 'resending',
        vouchers: { done: 5, total: 12 },
        banks: { done: 1, total: 1 },
        detail: {},
      },
      undefined,
      at,
    );
    assert.deepEqual(frame.tally, { what: 'vouchers', done: 5, total: 12 });
    assert.equal(
      barLine(frame, 67_000),
      `[${'█'.repeat(10)}${'░'.repeat(14)}]  42%  vouchers 5/12  resending  01:07`,
    );
    assert.equal(tallyLine(frame.tally), 'Progress: vouchers 5/12 (42%)');
  });

  it('a run that counts nothing shows its step and time; nothing counted yet is 0%', () => {
    const bare = followFrame({ runbook: 'channel-recovery', step: 'diagnosing', detail: {} }, undefined, at);
    assert.equal(barLine(bare, 3_725_000), 'diagnosing  1:02:05');
    assert.equal(tallyLine(bare.tally), undefined);
    const empty = followFrame(
      { runbook: 'daily-inspection', step: 'inspecting', banks: { done: 0, total: 0 }, detail: {} },
      undefined,
      at,
    );
    assert.match(barLine(empty, 0), /^\[░{24}\] {3}0% {2}banks 0\/0/);
  });

  it('names the approval it waits for with its inbox link, a wait to be claimed, and each gate decided', () => {
    const waiting = followFrame(
      { runbook: 'voucher-resend', step: 'awaiting-approval', detail: {} },
      state({ pending }),
      at,
    );
    assert.deepEqual(waiting.notes, [
      'Step: awaiting-approval',
      'Waiting for approval at step resend: 1/2 vote(s); roles finance-approver; expires 2026-11-27 18:00',
      '  Decide in the inbox / 审批链接: https://inbox.example/approvals/voucher-resend%2FICBC%2F2026-11-27',
    ]);
    const unclaimed = followFrame(undefined, state({ awaitingClaim: true }), at);
    assert.match(unclaimed.notes[0] ?? '', /npm run runbook -- claim voucher-resend\/ICBC\/2026-11-27$/);
    assert.equal(
      unclaimed.notes[1],
      '  Claim in the inbox: https://inbox.example/approvals/voucher-resend%2FICBC%2F2026-11-27',
    );
    const decided = followFrame(
      undefined,
      state({
        closed: [
          {
            gateId: 'resend-1',
            step: 'resend',
            planDigest: 'd',
            outcome: 'approved',
            votes: [{ user: 'wang', verdict: 'approve' }],
            decidedAt: '2026-11-27T09:00:00.000Z',
            reminded: false,
            escalated: false,
          } as ApprovalState['closed'][number],
        ],
      }),
      at,
    );
    assert.deepEqual(decided.notes, ['Approval resend: approved (wang approve) at 2026-11-27T09:00:00.000Z']);
  });
});

describe('run list filters', () => {
  it('adds one clause per filter', () => {
    assert.equal(
      runListQuery({ runbook: 'channel-recovery', outcome: 'recovered', awaitingApproval: true }),
      "WorkflowType IN ('channelRecovery') AND Outcome = 'recovered' AND PendingApproval = true AND ExecutionStatus = 'Running'",
    );
    assert.match(runListQuery({ outcome: 'failed' }), / AND ExecutionStatus = 'Failed'$/);
    assert.match(runListQuery({ outcome: 'cancelled' }), / AND ExecutionStatus = 'Canceled'$/);
  });

  it('takes an outcome only in its own shape, so nothing else reaches the query', () => {
    for (const outcome of ["recovered' OR 'a' = 'a", 'Recovered', '', 'a'.repeat(41)])
      assert.throws(() => runListQuery({ outcome }), RunListFilterError, outcome);
  });
});
