/**
 * 作废状态检查 — void status check (catalog item 7, contract 2.3.2): void requests (作废申请)
 * sent to a bank and still unanswered past their expected time. The bank is asked about each
 * voucher; from its answer the finance side is brought in line under approval (SQL in the plan):
 * the void the bank made is confirmed and the voucher voided, a void the bank refused (it had
 * paid) is recorded as refused, a request the bank never got is sent again. Vouchers the bank
 * does not know, or answers finance's records contradict, are reported for a person. Shares the
 * lock on the bank's vouchers with the resend runbook (lock/vouchers/<bank>). The round loop is
 * shared (shared/settle-requests.ts, shared/settle-check.ts); this file is what voids add.
 */
import { voucherText } from '../domain/bank-checks/finance-plan.ts';
import { parseInput } from '../domain/errors.ts';
import { decideVoid, overdueVoids, sameVoid } from '../domain/runbooks/void-status-check.plan.ts';
import { voidStatusCheckReport } from '../domain/runbooks/void-status-check.report.ts';
import {
  voidStatusCheckInputSchema,
  type OpenVoid,
  type VoidReportReason,
  type VoidStatusCheckInput,
  type VoidStatusCheckResult,
} from '../domain/runbooks/void-status-check.types.ts';
import { openBankCheck, type BankCheckRun } from './shared/bank-check-run.ts';
import { holdingLock } from './shared/runbook-run.ts';
import { closeSettled } from './shared/settle-check.ts';
import { requestsResult, settleRequests, type RequestsCheck } from './shared/settle-requests.ts';

const runbook = 'void-status-check';
type Input = ReturnType<typeof voidStatusCheckInputSchema.parse>;

export async function voidStatusCheck(rawInput: VoidStatusCheckInput): Promise<VoidStatusCheckResult> {
  const input = parseInput(voidStatusCheckInputSchema, rawInput);
  const run = await openBankCheck(runbook, input, rawInput);
  const { bank, date } = run;
  const settled = await holdingLock(run, ['vouchers', bank.code], `作废状态检查失败：${bank.name}`, () =>
    settleRequests(run, voids(run)),
  );
  const about = { bankName: bank.name, date, overdueMinutes: input.overdueMinutes };
  const closed = await closeSettled(run, settled, (r) =>
    voidStatusCheckReport(r, about, settled.end, settled.judged),
  );
  return { runbook, ...closed, ...requestsResult('voucherNo', settled.judged) };
}

/** The void requests: open ones found, overdue ones asked about and judged, looked at again, verified. */
function voids(run: BankCheckRun<Input>): RequestsCheck<'voucherNo', OpenVoid, VoidReportReason> {
  const { bank, date, look, input } = run;
  const findOpen = () => look.findOpenVoids({ bank: bank.code, asOf: date });
  const overdueFor = `超过 ${input.overdueMinutes} 分钟`;
  return {
    key: 'voucherNo',
    queryPurpose: 'void-vouchers',
    findOpen,
    overdue: (open) => overdueVoids(open, new Date(Date.now() - input.overdueMinutes * 60_000).toISOString()),
    decide: async (ask, answer) => ask.map((v) => decideVoid(v, answer(v.voucherNo), run.estate.timezone)),
    voucherOf: (act) => act.item.voucher,

    async stillAsPlanned(acts) {
      const again = await findOpen();
      return acts.every((a) =>
        sameVoid(
          a.item,
          again.find((v) => v.voucherNo === a.item.voucherNo),
        ),
      );
    },

    verifying: {
      seconds: input.verifySeconds,
      voucherNoOf: (change) => (change.mutation as { voucherNo: string }).voucherNo,
      settledStatus: 'voided',
      refuseKind: 'refuse-void',
      resendKind: 'resend-void',
      detail: (voucherNo, v, openNow) =>
        `${voucherText(voucherNo, v?.amountFen ?? 0)}：财政端状态 ${v?.status ?? '未知'}，作废申请${openNow ? `仍在途（${openNow.status}）` : '已结清'}`,
    },

    words: {
      request: '作废申请',
      nothingWhy: (open) => `${bank.name}没有${overdueFor}未确认的作废申请（在途 ${open.length} 笔）`,
      reportOnlyWhy: (overdue) => `${overdue} 笔超时作废申请均不能自动处理，原因见报告`,
      planTitle: (acts) => ({
        zh: `${bank.name}作废状态与银行对齐（${acts} 笔）`,
        en: `Bring ${acts} ${bank.code} voids in line with the bank`,
      }),
      overdueFinding: (overdue) => ({
        zh: `${overdue} 笔作废申请${overdueFor}未得到银行应答；已逐笔向银行查询`,
        en: `${overdue} void requests unanswered for over ${input.overdueMinutes} minutes; the bank was asked about each`,
      }),
      stillMovingWhy: (rounds) => `作废申请在 ${rounds} 轮计划中持续变化，已停止`,
      escalated: `作废状态需人工核查：${bank.name}`,
    },
  };
}
