import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resultLines } from '../../scripts/lib/run-summary.ts';

const report = { markdown: 'reports/x/r.md', html: 'reports/x/r.html' };
const approval = {
  gateId: 'execute-1',
  step: 'execute',
  planDigest: 'ab'.repeat(32),
  outcome: 'approved',
  votes: [{ user: 'wang', verdict: 'approve' }],
  decidedAt: '2026-11-27T02:00:00.000Z',
};
const change = { statements: ['UPDATE …'], rows: [1], alreadyDone: false, before: {}, after: {} };

/** A finished run of each runbook, with the fields its summary reads. */
const results: Record<string, { result: Record<string, unknown>; expect: RegExp[] }> = {
  'daily-inspection': {
    result: {
      light: 'red',
      findings: [{ bank: 'ICBC', summary: '通道重试中', fixRunbook: 'channel-recovery' }],
      followUps: [
        { runbook: 'channel-recovery', workflowId: 'channel-recovery/CZ.TO.ICBC/d', status: 'started' },
      ],
    },
    expect: [
      /^Outcome: red$/m,
      /^ {2}\[ICBC\] 通道重试中 → channel-recovery$/m,
      /channel-recovery\/CZ.TO.ICBC\/d \(started\)/,
    ],
  },
  'sequence-resync': {
    result: {
      outcome: 'resynced',
      why: 'AMQ9526',
      actions: [{ command: 'RESET CHANNEL(CZ.TO.CCB) SEQNUM(12)', target: 'QM.CZ', detail: 'done', at: 't' }],
      approvals: [approval],
      verification: { ok: true, checks: 2, detail: 'both ends at 12' },
    },
    expect: [
      /^Outcome: resynced$/m,
      /RESET CHANNEL\(CZ.TO.CCB\) SEQNUM\(12\) @ QM.CZ — done/,
      /^Verified: yes — both ends at 12$/m,
      /^Approval execute: approved \(wang approve\)/m,
    ],
  },
  'voucher-resend': {
    result: {
      outcome: 'completed-with-holds',
      found: 3,
      foundFen: 123456,
      counts: { accepted: 2, held: 1 },
      vouchers: [
        { voucherNo: 'V1', amountFen: 100, outcome: 'accepted' },
        { voucherNo: 'V2', amountFen: 23356, outcome: 'held', detail: '收款人账号不规范' },
      ],
      approvals: [approval],
    },
    expect: [/^Vouchers: 3 \(¥1,234.56\); accepted 2, held 1$/m, /^ {2}V2 ¥233.56 held — 收款人账号不规范$/m],
  },
  'daily-report-check': {
    result: {
      outcome: 'received-after-resend',
      why: '补发后收到',
      after: [
        { kind: 'daily_report', present: true },
        { kind: 'payment_list', present: false },
      ],
      requested: [{ kind: 'daily_report', queryId: 'q1', answer: { answeredAt: '2026-11-27T01:00:00Z' } }],
    },
    expect: [/^Reports: daily_report present, payment_list missing$/m, /asked again: daily_report/],
  },
  'receipt-registration-repair': {
    result: {
      outcome: 'partly-registered',
      why: 'w',
      found: 2,
      registered: [{ receiptNo: 'R1' }],
      unmatched: [{ receiptNo: 'R2', voucherNo: 'V9', reason: 'amount-differs', detail: '金额不符' }],
      results: [change],
      approval,
    },
    expect: [
      /^Receipts: 2 unregistered, 1 registered, 1 left for a person$/m,
      /R2 → V9: amount-differs — 金额不符/,
      /^Changes: 1 applied, 1 row\(s\)$/m,
    ],
  },
  'void-status-check': {
    result: {
      outcome: 'settled',
      why: 'w',
      open: 2,
      overdue: 1,
      decisions: [{ voucherNo: 'V3', kind: 'act', action: 'confirm-void', why: '银行已作废' }],
      results: [change],
    },
    expect: [/^Voids: 2 open, 1 overdue$/m, /V3: confirm-void — 银行已作废/],
  },
  'refund-tracking': {
    result: {
      outcome: 'settled',
      why: 'w',
      open: 1,
      overdue: 1,
      decisions: [{ refundNo: 'T1', kind: 'report', why: '部分退款' }],
      results: [],
    },
    expect: [/^Refunds: 1 open, 1 overdue$/m, /T1: left for a person — 部分退款/],
  },
  'add-agent-bank': {
    result: {
      outcome: 'added',
      why: ['华夏银行已接入', '测试报文往返成功'],
      actions: [
        { command: 'DEFINE QLOCAL(QM.HXB)', target: 'QM.CZ', detail: 'defined', at: 't', alreadyDone: true },
      ],
      registered: { file: 'data/added-banks/HXB.yaml', alreadyDone: false },
      approval,
    },
    expect: [
      /^ {2}华夏银行已接入$/m,
      /DEFINE QLOCAL\(QM.HXB\) @ QM.CZ — defined \(already done\)/,
      /^Site entry: data\/added-banks\/HXB.yaml$/m,
    ],
  },
};

test('every runbook’s finished run prints its outcome, what it found or did, and its report', () => {
  for (const [runbook, { result, expect }] of Object.entries(results)) {
    const text = resultLines({ runbook, workflowId: `${runbook}/x`, report, ...result }).join('\n');
    assert.doesNotMatch(text, /undefined/, `${runbook}:\n${text}`);
    assert.match(text, /^Outcome: \S+$/m, runbook);
    assert.match(text, /^Report: reports\/x\/r.md\n {8}reports\/x\/r.html$/m, runbook);
    for (const pattern of expect) assert.match(text, pattern, `${runbook}:\n${text}`);
  }
});

test('long lists are cut with a count, and a result of no runbook is shown as JSON', () => {
  const findings = Array.from({ length: 60 }, (_, i) => ({
    bank: `B${i}`,
    summary: 's',
    fixRunbook: 'channel-recovery',
  }));
  const text = resultLines({
    runbook: 'daily-inspection',
    light: 'red',
    findings,
    followUps: [],
    report,
  }).join('\n');
  assert.match(text, /^Findings: 60$/m);
  assert.match(text, /^ {2}… and 10 more$/m);
  assert.equal(text.split('\n').filter((l) => l.startsWith('  [B')).length, 50);
  assert.deepEqual(resultLines({ held: true }), [JSON.stringify({ held: true }, null, 2)]);
});
