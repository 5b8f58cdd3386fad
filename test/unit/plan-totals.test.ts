import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PendingApprovalView } from '../../domain/approvals/gate-types.ts';
import { planListLimit, resendPlan } from '../../domain/runbooks/voucher-resend.plan.ts';
import { messages } from '../../inbox/i18n.ts';
import { detailPage } from '../../inbox/pages.ts';
import { printPlan } from '../../scripts/lib/approval-commands.ts';

// 503 vouchers worth ¥2,727,798.72, of which the plan lists the first 500.
const vouchers = Array.from({ length: 503 }, (_, i) => ({
  voucherNo: `ZZ20261127ICBC${String(i).padStart(4, '0')}`,
  amountFen: i < 500 ? 536_575 + (i % 2) : 1_497_374,
  payeeName: '张*',
  payeeAccount: '****1234',
}));
const totalFen = vouchers.reduce((s, v) => s + v.amountFen, 0);
const listedFen = vouchers.slice(0, planListLimit).reduce((s, v) => s + v.amountFen, 0);

const plan = resendPlan({
  bank: { code: 'ICBC', name: '中国工商银行' },
  found: 503,
  foundFen: totalFen,
  resend: { count: 503, fen: totalFen, sample: vouchers.slice(0, planListLimit), causes: { window: 503 } },
  align: { count: 0, fen: 0, sample: [] },
  holds: {},
  fixes: [],
  baseData: [],
  ruleSets: [],
  lists: { resend: 'ab'.repeat(32), align: 'ef'.repeat(32) },
});

const pending: PendingApprovalView = {
  gateId: 'g1',
  step: 'execute',
  runbook: 'voucher-resend',
  workflowId: 'voucher-resend/ICBC/2026-11-27',
  requestedBy: 'zhang.san',
  planDigest: 'cd'.repeat(32),
  plan,
  roles: ['finance-approver'],
  deputyRoles: [],
  escalated: false,
  quorum: 1,
  votes: [],
  openedAt: '2026-11-27T02:00:00Z',
  remindAt: '2026-11-27T03:00:00Z',
  escalateAt: '2026-11-27T04:00:00Z',
  expireAt: '2026-11-28T02:00:00Z',
  bankCodes: ['ICBC'],
};

const yuan = (fen: number) =>
  `¥${Math.trunc(fen / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${String(fen % 100).padStart(2, '0')}`;

test('the resend plan carries the whole count, total and list digest, not only the vouchers it lists', () => {
  assert.equal(yuan(totalFen), '¥2,727,798.72');
  assert.equal(plan.vouchers?.length, planListLimit);
  assert.deepEqual(plan.voucherTotals, { count: 503, amountFen: totalFen, listDigest: 'ab'.repeat(32) });
});

/** The inbox's page of a run waiting at `gate`, in Chinese. */
const pageOf = (gate: PendingApprovalView) =>
  detailPage(
    { lang: 'zh', m: messages('zh'), siteName: 'test', timeZone: 'Asia/Shanghai', here: '/' },
    gate.workflowId,
    {
      state: {
        runbook: gate.runbook,
        runId: 'run-1',
        requestedBy: 'zhang.san',
        requester: { user: 'zhang.san', verified: true, via: 'start' },
        awaitingClaim: false,
        pending: gate,
        closed: [],
      },
      pending: gate,
    },
  );

test('the inbox page shows the whole total and says how many of them are listed', () => {
  const page = pageOf(pending);
  assert.match(page, /合计（503 笔）/);
  assert.ok(page.includes(yuan(totalFen)), 'the whole total');
  assert.ok(!page.includes(yuan(listedFen)), 'not the total of the listed vouchers');
  assert.match(page, /以下仅列出其中 500 笔（共 503 笔）；完整清单摘要 abababab/);
});

test('the CLI shows the whole total and says how many of them are listed', () => {
  const lines: string[] = [];
  printPlan(
    {
      out: (l) => lines.push(l),
      err: () => undefined,
      env: {},
      stdin: process.stdin,
      stderr: process.stderr,
    },
    pending,
    'Asia/Shanghai',
  );
  assert.ok(lines.includes(`    合计 total: ${yuan(totalFen)} (503)`), lines.slice(-3).join('\n'));
  assert.ok(lines.some((l) => l.includes(`仅列出 500 笔，共 503 笔`) && l.includes('ab'.repeat(32))));
});

test("a data change's rows are shown before and after, payee data masked again on the page", () => {
  const rows = [
    {
      table: 'payee_accounts',
      key: 'PAX1',
      before: {
        id: 'PAX1',
        account_no: '6222020110008801234',
        account_name: '县第一实验小学',
        bank_name: '农行',
      },
      after: { bank_name: '工行' },
    },
  ];
  const withRows = { ...pending, plan: { ...plan, rows } };
  const page = pageOf(withRows);
  assert.match(page, /逐行修改预览/);
  assert.match(page, /account_no=\*\*\*\*1234；account_name=县\*\*\*\*\*\*；bank_name=农行/);
  assert.match(page, /<td>bank_name=工行<\/td>/);
  assert.doesNotMatch(page, /6222020110008801234|县第一实验小学/);
});
