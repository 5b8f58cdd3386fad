/**
 * The settling checks on requests finance sent a bank and never heard back about — voids and
 * refunds — as one `SettleCheck` (settle-check.ts): the overdue requests are asked about one by
 * one, a request never sent is reported, the bank's answer decides a confirmation, a refusal or
 * a resend, and verifying waits for the bank where a request went out again. A runbook gives its
 * records, its judgement and its words; the rest — questions, result fields, the escalation of
 * what is left for a person — is the same for both.
 */
import type { Bilingual } from '../../domain/approvals/gate-types.ts';
import type { PlannedChange } from '../../domain/bank-checks/finance-plan.ts';
import type { SettleCheckOutcome } from '../../domain/bank-checks/settle-result.ts';
import type { FinanceMutation, VoucherSnapshot } from '../../domain/bank-checks/types.ts';
import type { BankAnswer, BankQuestion } from '../../domain/bank-questions.ts';
import { checkUntilSettled } from './bank-check-outcome.ts';
import type { Applied, BankCheckRun } from './bank-check-run.ts';
import { settleInRounds, type Judgement, type SettleInput, type Settled } from './settle-check.ts';

/** What a request is known by, and so what the bank is asked about: a voucher or a refund. */
export type RequestKey = 'voucherNo' | 'refundNo';

/** A request still open on the finance side. */
export type OpenRequest<K extends RequestKey> = Record<K, string> & {
  status: string;
  requestedAt: string;
  sentAt: string | null;
};

/** The judgement on one overdue request: bring finance in line (`act`) or leave it to a person. */
export type RequestDecision<I, R extends string> =
  | {
      kind: 'act';
      item: I;
      mutation: FinanceMutation;
      why: string;
      answer: BankAnswer;
      voucher?: VoucherSnapshot | null;
    }
  | { kind: 'report'; item: I; reason: R | 'not-sent'; why: string; answer?: BankAnswer };

type Act<I, R extends string> = RequestDecision<I, R> & { kind: 'act' };

export interface RequestRound<I, R extends string> extends Judgement {
  open: I[];
  decisions: RequestDecision<I, R>[];
  acts: Act<I, R>[];
}

export interface RequestsCheck<K extends RequestKey, I extends OpenRequest<K>, R extends string> {
  key: K;
  queryPurpose: string;
  findOpen(): Promise<I[]>;
  /** The overdue requests: sent ones to ask the bank about, and ones that never left finance. */
  overdue(open: I[]): { ask: I[]; stuck: I[] };
  decide(ask: I[], answer: (ref: string) => BankAnswer | undefined): Promise<RequestDecision<I, R>[]>;
  /** The voucher a planned change touches, as the plan shows it. */
  voucherOf(act: Act<I, R>): VoucherSnapshot | null | undefined;
  stillAsPlanned(acts: Act<I, R>[]): Promise<boolean>;
  verifying: {
    seconds: number;
    /** The voucher an applied change is checked on, if any. */
    voucherNoOf(change: PlannedChange): string | undefined;
    /** The voucher's status once a confirmed change took. */
    settledStatus: string;
    refuseKind: FinanceMutation['kind'];
    resendKind: FinanceMutation['kind'];
    detail(ref: string, voucher: VoucherSnapshot | undefined, openNow: I | undefined): string;
  };
  words: {
    /** The request in a sentence (作废申请, 退款申请). */
    request: string;
    nothingWhy(open: I[]): string;
    reportOnlyWhy(overdue: number): string;
    planTitle(acts: number): Bilingual;
    overdueFinding(overdue: number): Bilingual;
    stillMovingWhy(rounds: number): string;
    escalated: string;
  };
}

/** The result fields of a check on open requests, besides those every settling check returns. */
export interface RequestsResult<K extends RequestKey> {
  open: number;
  overdue: number;
  decisions: (Record<K, string> & {
    kind: 'act' | 'report';
    action?: FinanceMutation['kind'];
    reason?: string;
    why: string;
  })[];
}

function question(key: RequestKey, queryId: string, ref: string): BankQuestion {
  return key === 'voucherNo'
    ? { queryId, subject: 'voucher', voucherNo: ref }
    : { queryId, subject: 'refund', refundNo: ref };
}

/** Settles the open requests in rounds on the run, which holds the lock on them. */
export function settleRequests<K extends RequestKey, I extends OpenRequest<K>, R extends string>(
  run: BankCheckRun<SettleInput>,
  spec: RequestsCheck<K, I, R>,
): Promise<Settled<SettleCheckOutcome, RequestRound<I, R>>> {
  const { key, words, verifying } = spec;
  const refOf = (m: FinanceMutation) => (m as unknown as Record<K, string>)[key];

  /** Settled changes show at once; a re-sent request is given `seconds` for the bank's answer. */
  async function verify(done: Applied, round: RequestRound<I, R>) {
    const sentBefore = new Map<string, string | null>(round.acts.map((a) => [a.item[key], a.item.sentAt]));
    const voucherNos = done.results.flatMap((r) => {
      const no = verifying.voucherNoOf(r.change);
      return no ? [no] : [];
    });
    return checkUntilSettled(async () => {
      const stillOpen = new Map<string, I>((await spec.findOpen()).map((i) => [i[key], i]));
      const vouchers = new Map(
        (await run.look.readVouchers({ bank: run.bank.code, voucherNos })).map((v) => [v.voucherNo, v]),
      );
      return done.results.map((r) => {
        const m = r.change.mutation;
        const ref = refOf(m);
        const no = verifying.voucherNoOf(r.change);
        const v = no ? vouchers.get(no) : undefined;
        const openNow = stillOpen.get(ref);
        // A re-sent request is verified once it left the old state; settled once the bank answered.
        const ok =
          m.kind === verifying.resendKind
            ? !openNow || openNow.status === 'pending_send' || openNow.sentAt !== sentBefore.get(ref)
            : m.kind === verifying.refuseKind
              ? !openNow
              : !openNow && v?.status === verifying.settledStatus;
        const settled = m.kind !== verifying.resendKind || !openNow;
        return { ok, settled, detail: verifying.detail(ref, v, openNow) };
      });
    }, verifying.seconds);
  }

  return settleInRounds(run, {
    queryPurpose: spec.queryPurpose,
    gateStep: 'apply',
    outcomes: {
      done: 'settled',
      partly: 'partly-settled',
      nothing: 'nothing-to-do',
      reportOnly: 'report-only',
    },

    async find(queryId) {
      const open = await spec.findOpen();
      const { ask, stuck } = spec.overdue(open);
      return {
        questions: ask.map((item) => question(key, queryId(item[key]), item[key])),
        async judge(answer): Promise<RequestRound<I, R>> {
          const decisions: RequestDecision<I, R>[] = [
            ...(await spec.decide(ask, answer)),
            ...stuck.map((item) => ({
              kind: 'report' as const,
              item,
              reason: 'not-sent' as const,
              why: `${words.request}自 ${item.requestedAt} 起一直未发出，请检查收发程序`,
            })),
          ];
          const acts = decisions.filter((d): d is Act<I, R> => d.kind === 'act');
          return {
            open,
            decisions,
            acts,
            items: decisions.length,
            changes: acts.map((a) => ({ mutation: a.mutation, voucher: spec.voucherOf(a) })),
          };
        },
      };
    },

    stillAsPlanned: ({ acts }) => spec.stillAsPlanned(acts),
    verify,

    heldForAPerson({ decisions }) {
      const reports = decisions.filter((d) => d.kind === 'report');
      return {
        lines: reports.map((d) => `${d.item[key]}：${d.why}`),
        reports: reports.map((d) => ({ [key]: d.item[key], reason: d.reason })),
      };
    },

    words: {
      nothingWhy: ({ open }) => words.nothingWhy(open),
      reportOnlyWhy: ({ items }) => words.reportOnlyWhy(items),
      planTitle: ({ acts }) => words.planTitle(acts.length),
      findings: ({ items, acts }) => [
        words.overdueFinding(items),
        ...acts.map((a) => ({ zh: a.why, en: `${a.item[key]}: ${a.mutation.kind}` })),
      ],
      leftOut: (others) => ({
        zh: `另有 ${others} 笔需人工核查，不在本计划内`,
        en: `${others} more need a person and are not in this plan`,
      }),
      dryRunWhy: ({ acts }) => `可处理 ${acts.length} 笔；演练模式，未执行`,
      planName: '处理计划',
      notVerified: '处理后复核未通过（见验证）',
      doneWhy: (applied) => `已处理 ${applied.results.length} 笔`,
      othersWhy: (n) => `，另有 ${n} 笔需人工核查`,
      stillMovingWhy: words.stillMovingWhy,
      escalated: words.escalated,
    },
  });
}

/** What a check on open requests returns of its last round: the counts and each request's decision. */
export function requestsResult<K extends RequestKey, I extends OpenRequest<K>, R extends string>(
  key: K,
  { open, items, decisions }: RequestRound<I, R>,
): RequestsResult<K> {
  return {
    open: open.length,
    overdue: items,
    decisions: decisions.map(
      (d) =>
        ({
          [key]: d.item[key],
          kind: d.kind,
          ...(d.kind === 'act' ? { action: d.mutation.kind } : { reason: d.reason }),
          why: d.why,
        }) as RequestsResult<K>['decisions'][number],
    ),
  };
}
