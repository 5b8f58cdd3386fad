/**
 * The questions a runbook puts to a bank and the bank's answers, whatever it asks about (a
 * voucher, a report, a refund, its last accepted serial, a new bank's test message): status
 * queries filed in the treasury's `bank_queries`, carried out of band by the bank's send/receive
 * program, answered by the bank and filed against their query id.
 *
 * Query ids: one prefix per run, purpose and round (so a run counts and reads its own answers by
 * prefix), one suffix per thing asked about. Deterministic, so a retried or replayed step files
 * nothing twice. Pure: safe in workflows.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';

export const reportKinds = ['daily_report', 'payment_list', 'recon_file'] as const;
export type ReportKind = (typeof reportKinds)[number];

/** What a question is about. */
export type BankSubject =
  | { subject: 'voucher'; voucherNo: string }
  | { subject: 'report'; reportKind: ReportKind; reportDate: string }
  | { subject: 'refund'; refundNo: string };

/** A status query to one bank; `queryId` ties the answer to it. */
export type BankQuestion = { queryId: string } & BankSubject;

/** A void as the bank has it on record. */
export interface VoidState {
  state: 'voided' | 'refused';
  at: string;
  reason?: string;
}

/** A refund as the bank has it on record (`known: false`: the bank has no such refund). */
export interface RefundState {
  refundNo: string;
  known: boolean;
  state?: 'refunded' | 'refused';
  voucherNo?: string;
  amountFen?: number;
  refundDate?: string;
  initiatedBy?: 'finance' | 'bank';
  reason?: string;
}

/** A bank's status answer, as the send/receive program filed it. */
export interface BankAnswer {
  queryId: string;
  answeredAt: string;
  voucherNo?: string;
  /** Whether the bank has the voucher on its books. */
  known?: boolean;
  /** The voucher's status in the bank's books: accepted, paid, rejected, voided. */
  status?: string;
  paidAt?: string | null;
  amountFen?: number;
  /** The receipt (回单) the bank gave for the voucher's payment. */
  receiptNo?: string;
  /** A void the bank has on record for the voucher. */
  void?: VoidState;
  /** The refund asked about, or the voucher's refund when there is one. */
  refund?: RefundState;
  reportKind?: ReportKind;
  reportDate?: string;
  /** For a report: whether the bank sent it again. */
  resent?: boolean;
  /** The last application serial number the bank accepted from finance (every answer says it). */
  lastSerialAccepted?: number;
}

const hex = (text: string, chars: number) => bytesToHex(sha256(utf8ToBytes(text))).slice(0, chars);

/** `q` + 24 hex digits + `-`: the questions of one run (its `runKey`) for one purpose and round. */
export function queryPrefix(runKey: string, purpose: string, round = 1): string {
  return `q${hex(`${runKey}\n${purpose}\n${round}`, 24)}-`;
}

/** The prefix and 16 hex digits of the reference asked about: 42 characters. */
export function queryIdFor(prefix: string, ref: string): string {
  return `${prefix}${hex(ref, 16)}`;
}

/** The thing a question is about, as one text: what its query id is derived from. */
export function refOf(s: BankSubject): string {
  switch (s.subject) {
    case 'voucher':
      return s.voucherNo;
    case 'report':
      return `${s.reportKind}:${s.reportDate}`;
    case 'refund':
      return s.refundNo;
  }
}

/** The question with its id under `prefix`. */
export function questionFor<S extends BankSubject>(prefix: string, s: S): S & { queryId: string } {
  return { ...s, queryId: queryIdFor(prefix, refOf(s)) };
}

/** The status query's body as the send/receive program sends it (the bank echoes the query id). */
export function statusQueryBody(q: BankQuestion): string {
  switch (q.subject) {
    case 'voucher':
      return JSON.stringify({ voucherNo: q.voucherNo, queryId: q.queryId });
    case 'report':
      return JSON.stringify({ queryId: q.queryId, reportKind: q.reportKind, reportDate: q.reportDate });
    case 'refund':
      return JSON.stringify({ queryId: q.queryId, refundNo: q.refundNo });
  }
}

/** What a filed answer may hold; anything else in it is dropped. */
const storedAnswer = z.object({
  voucherNo: z.string().optional(),
  known: z.boolean().optional(),
  status: z.string().optional(),
  paidAt: z.string().nullable().optional(),
  amountFen: z.number().optional(),
  receiptNo: z.string().max(64).optional(),
  void: z
    .object({ state: z.enum(['voided', 'refused']), at: z.string(), reason: z.string().optional() })
    .optional(),
  refund: z
    .object({
      refundNo: z.string(),
      known: z.boolean(),
      state: z.enum(['refunded', 'refused']).optional(),
      voucherNo: z.string().optional(),
      amountFen: z.number().optional(),
      refundDate: z.string().optional(),
      initiatedBy: z.enum(['finance', 'bank']).optional(),
      reason: z.string().optional(),
    })
    .optional(),
  reportKind: z.enum(reportKinds).optional(),
  reportDate: z.string().optional(),
  resent: z.boolean().optional(),
  lastSerialAccepted: z.number().int().nonnegative().optional(),
});

/** The answer filed against `queryId`, or undefined when its text is not an answer. */
export function parseAnswer(queryId: string, answeredAt: string, text: string): BankAnswer | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = storedAnswer.safeParse(json);
  return parsed.success ? { queryId, answeredAt, ...parsed.data } : undefined;
}
