/**
 * 回单登记修复 — receipt registration repair (catalog item 7, contract 2.3.1): the bank's
 * receipts (回单) that arrived but never registered against their vouchers. Each is matched to
 * its voucher by number, amount and date; for each clean match the bank is asked whether it paid
 * that voucher, for that amount. The confirmed matches are registered (receipt registered,
 * voucher paid) under approval, with the exact SQL in the plan; every other receipt is reported
 * with the reason it does not match. One repair per bank's receipts at a time
 * (lock/receipts/<bank>). The round loop is shared (shared/settle-check.ts); this file is what is
 * particular to receipts.
 */
import type { VoucherSnapshot } from '../domain/bank-checks/types.ts';
import type { BankAnswer } from '../domain/bank-questions.ts';
import { parseInput } from '../domain/errors.ts';
import {
  confirmWithBank,
  matchReceipt,
  registration,
  sameRegistration,
} from '../domain/runbooks/receipt-registration-repair.plan.ts';
import { receiptRepairReport } from '../domain/runbooks/receipt-registration-repair.report.ts';
import {
  receiptRepairInputSchema,
  type ReceiptMatch,
  type ReceiptRepairOutcome,
  type ReceiptRepairInput,
  type ReceiptRepairResult,
} from '../domain/runbooks/receipt-registration-repair.types.ts';
import { openBankCheck, type BankCheckRun } from './shared/bank-check-run.ts';
import { holdingLock } from './shared/runbook-run.ts';
import {
  closeSettled,
  settleInRounds,
  type Judgement,
  type SettleCheck,
  type Settled,
} from './shared/settle-check.ts';

const runbook = 'receipt-registration-repair';
type Input = ReturnType<typeof receiptRepairInputSchema.parse>;

type CleanMatch = ReceiptMatch & { kind: 'clean' };

/** A round's judgement: how many receipts are unregistered, each one looked at, the confirmed matches. */
interface ReceiptRound extends Judgement {
  found: number;
  matches: ReceiptMatch[];
  confirmed: CleanMatch[];
}

const unmatchedOf = (matches: ReceiptMatch[]): ReceiptRepairResult['unmatched'] =>
  matches.flatMap((m) =>
    m.kind === 'unmatched'
      ? [
          {
            receiptNo: m.receipt.receiptNo,
            voucherNo: m.receipt.voucherNo,
            amountFen: m.receipt.amountFen,
            reason: m.reason,
            detail: m.detail,
          },
        ]
      : [],
  );

export async function receiptRegistrationRepair(rawInput: ReceiptRepairInput): Promise<ReceiptRepairResult> {
  const input = parseInput(receiptRepairInputSchema, rawInput);
  const run = await openBankCheck(runbook, input, rawInput);
  const { bank, date } = run;
  const settled = await holdingLock(run, ['receipts', bank.code], `回单登记修复失败：${bank.name}`, () =>
    settleInRounds(run, receipts(run)),
  );
  const closed = await closeSettled(run, settled, (r) =>
    receiptRepairReport(r, { bankName: bank.name, date }, settled.end, settled.judged),
  );
  return { runbook, ...closed, ...receiptResult(settled) };
}

/**
 * The unregistered receipts: matched to their vouchers and, where clean, confirmed with the bank;
 * looked at again before registering; verified on the vouchers registered.
 */
function receipts(run: BankCheckRun<Input>): SettleCheck<ReceiptRepairOutcome, ReceiptRound> {
  const { bank, date, look, input } = run;
  const unregisteredReceipts = () =>
    look.findUnregisteredReceipts({
      bank: bank.code,
      asOf: date,
      limit: input.limit,
    });
  return {
    queryPurpose: 'receipt-vouchers',
    gateStep: 'register',
    outcomes: {
      done: 'registered',
      partly: 'partly-registered',
      nothing: 'nothing-to-do',
      reportOnly: 'nothing-registrable',
    },
    words: {
      nothingWhy: () => `${bank.name}没有 ${date} 及以前的未登记回单`,
      reportOnlyWhy: ({ items }) => `${items} 张未登记回单均不能自动登记，原因见报告`,
      planTitle: ({ confirmed }) => ({
        zh: `登记${bank.name}回单 ${confirmed.length} 张`,
        en: `Register ${confirmed.length} ${bank.code} receipts`,
      }),
      findings: ({ found, confirmed }) => [
        {
          zh: `${bank.name}有 ${found} 张未登记回单（${date} 及以前），其中 ${confirmed.length} 张与凭证号、金额、日期完全相符且银行确认已支付`,
          en: `${found} unregistered receipts; ${confirmed.length} match their voucher by number, amount and date, and the bank confirms the payment`,
        },
      ],
      leftOut: (others) => ({
        zh: `另有 ${others} 张不能自动登记，不在本计划内（原因见报告）`,
        en: `${others} more cannot be registered automatically and are not in this plan`,
      }),
      dryRunWhy: ({ confirmed }) => `可登记 ${confirmed.length} 张；演练模式，未执行`,
      planName: '登记计划',
      notVerified: '登记后复核未通过',
      doneWhy: (applied) => `已登记 ${applied.results.length} 张回单`,
      othersWhy: (n) => `，另有 ${n} 张需人工处理`,
      stillMovingWhy: (rounds) => `回单或凭证在 ${rounds} 轮计划中持续变化，已停止`,
      escalated: `回单登记修复已停止：${bank.name}`,
    },
    async find(queryId) {
      const unregistered = await unregisteredReceipts();
      const matches = unregistered.receipts.map((r) => matchReceipt(r, input.maxPayDays));
      const clean = matches.filter((m) => m.kind === 'clean');
      return {
        questions: clean.map((m) => ({
          queryId: queryId(m.voucher.voucherNo),
          subject: 'voucher' as const,
          voucherNo: m.voucher.voucherNo,
        })),
        async judge(answer): Promise<ReceiptRound> {
          const answerFor = (m: CleanMatch) => answer(m.voucher.voucherNo);
          const checked = matches.map((m) => (m.kind === 'clean' ? confirmWithBank(m, answerFor(m)) : m));
          const confirmed = checked.filter((m): m is CleanMatch => m.kind === 'clean');
          return {
            found: unregistered.total,
            matches: checked,
            confirmed,
            items: checked.length,
            // A confirmed match always has its answer: confirmWithBank keeps none without one.
            changes: confirmed.map((m) => ({
              mutation: registration(m, answerFor(m) as BankAnswer),
              voucher: m.voucher,
            })),
          };
        },
      };
    },

    async stillAsPlanned({ confirmed }) {
      const again = await unregisteredReceipts();
      return confirmed.every((m) =>
        sameRegistration(
          m.voucher,
          again.receipts.find((r) => r.receiptNo === m.receipt.receiptNo),
        ),
      );
    },

    async verify(applied) {
      const done = applied.results.map((r) => r.change);
      const after = new Map(
        (
          await look.readVouchers({
            bank: bank.code,
            voucherNos: done.map((c) => (c.mutation as { voucherNo: string }).voucherNo),
          })
        ).map((v) => [v.voucherNo, v]),
      );
      return done.map((c) => {
        const m = c.mutation as { receiptNo: string; voucherNo: string };
        const v: VoucherSnapshot | undefined = after.get(m.voucherNo);
        const ok = v?.status === 'paid' && v.registeredReceipt === m.receiptNo;
        return {
          voucherNo: m.voucherNo,
          ok,
          detail: `凭证 ${m.voucherNo} 状态 ${v?.status ?? '未知'}，已登记回单 ${v?.registeredReceipt ?? '无'}`,
        };
      });
    },
  };
}

/** What a receipt repair returns of its last round and what it registered. */
function receiptResult({ judged, applied }: Settled<ReceiptRepairOutcome, ReceiptRound>) {
  return {
    found: judged.found,
    registered: (applied?.results ?? []).map((r) => {
      const m = r.change.mutation as { receiptNo: string; voucherNo: string };
      return {
        receiptNo: m.receiptNo,
        voucherNo: m.voucherNo,
        amountFen: r.change.voucher?.amountFen ?? 0,
        alreadyDone: r.alreadyDone,
      };
    }),
    unmatched: unmatchedOf(judged.matches),
  };
}
