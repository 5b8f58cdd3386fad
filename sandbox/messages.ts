/**
 * The application messages exchanged between the finance side and an agent bank: a JSON text body
 * (MQSTR) with a header. Shared by the send/receive programs and the simulated banks.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { messageKinds } from '../connectors/treasury/schema.ts';
import type { MessageKind } from '../connectors/treasury/schema.ts';
import type { RefundState, VoidState } from '../domain/bank-questions.ts';

export const FINANCE = 'CZ';

export const messageHeadSchema = z.object({
  msgType: z.enum(messageKinds),
  serialNo: z.number().int().nonnegative(),
  sender: z.string().min(1),
  receiver: z.string().min(1),
  sendTime: z.string(),
  businessDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  msgId: z.string().min(1).max(48),
});
export type MessageHead = z.infer<typeof messageHeadSchema>;

const envelopeSchema = z.object({ head: messageHeadSchema, body: z.record(z.string(), z.unknown()) });

export interface AppMessage<B = Record<string, unknown>> {
  head: MessageHead;
  body: B;
}

export interface BaseDataVersions {
  budget_unit: number;
  payee_account: number;
  subject: number;
}

export interface VoucherBody {
  voucherNo: string;
  fiscalYear: number;
  payType: 'direct' | 'authorized';
  amountFen: number;
  payeeAccountNo: string;
  payeeAccountName: string;
  payeeBankName: string;
  budgetUnitCode: string;
  subjectCode: string;
  /** Versions of the base-data records the voucher refers to. */
  baseDataVersion: BaseDataVersions;
}

export interface QuotaNoticeBody {
  noticeNo: string;
  quotaId: string;
  budgetUnitCode: string;
  subjectCode: string;
  amountFen: number;
}

export interface AckBody {
  refNo: string;
  refKind: 'voucher' | 'quota_notice';
  result: 'accepted' | 'rejected';
  /** For a duplicate delivery: the status the bank already holds. */
  status?: string;
  code?: string;
  reason?: string;
}

export interface ReceiptBody {
  receiptNo: string;
  voucherNo: string;
  amountFen: number;
  paidDate: string;
  paidAt: string;
}

export interface ReportBody {
  reportDate: string;
  lineCount: number;
  totalFen: number;
  digest: string;
  lines: { voucherNo: string; amountFen: number; paidAt: string }[];
}

export interface BaseDataBody {
  kind: keyof BaseDataVersions;
  version: number;
}

export interface BaseDataAckBody extends BaseDataBody {
  result: 'accepted' | 'rejected';
  reason?: string;
}

export type StatusQueryBody = (
  { voucherNo: string } | { reportKind: ReportKind; reportDate: string } | { refundNo: string }
) & {
  /** Echoed in the answer, so the finance side can file it against its question. */
  queryId?: string;
};

/** 批量状态查询: many vouchers asked about in one message, answered in one `VoucherAnswersBody`. */
export interface VoucherQueriesBody {
  queries: { voucherNo: string; queryId: string }[];
}

/** The answers to a `VoucherQueriesBody`, one per voucher asked about, each as a single query's answer. */
export interface VoucherAnswersBody {
  answers: StatusAnswerBody[];
  lastSerialAccepted: number;
}

export interface StatusAnswerBody {
  voucherNo?: string;
  known?: boolean;
  status?: string;
  paidAt?: string | null;
  reportKind?: ReportKind;
  reportDate?: string;
  resent?: boolean;
  /** The last application serial number the bank accepted from finance. */
  lastSerialAccepted: number;
  queryId?: string;
  /** The voucher's amount in the bank's books. */
  amountFen?: number;
  /** The receipt (回单) the bank gave for the voucher's payment. */
  receiptNo?: string;
  /** A void the bank has on record for the voucher. */
  void?: VoidState;
  /** The refund asked about (by refundNo), or the voucher's refund when there is one. */
  refund?: RefundState;
}

export type { RefundState, VoidState };

/** 作废申请: void a voucher not yet paid. */
export interface VoidRequestBody {
  voucherNo: string;
  reason: string;
}

export interface VoidAnswerBody {
  voucherNo: string;
  result: 'voided' | 'refused';
  reason?: string;
}

/** 退款申请 from finance: return the money of a paid voucher. */
export interface RefundRequestBody {
  refundNo: string;
  voucherNo: string;
  amountFen: number;
  reason: string;
}

/** 退款通知 from the bank: for finance's request (same refundNo) or started by the bank. */
export interface RefundNoticeBody {
  refundNo: string;
  voucherNo: string;
  amountFen: number;
  result: 'refunded' | 'refused';
  refundDate: string;
  initiatedBy: 'finance' | 'bank';
  reason?: string;
}

/** One quota on a year-end notice: what finance cancels of it, or restores into the new year. */
export interface QuotaYearLine {
  quotaId: string;
  budgetUnitCode: string;
  subjectCode: string;
  amountFen: number;
}

/** 额度注销 (`quota_cancel`) or 额度恢复 (`quota_restore`): one bank's year-end quota notice. */
export interface QuotaYearNoticeBody {
  /** The bank's idempotency key: the same notice sent again changes nothing more. */
  noticeId: string;
  kind: 'cancellation' | 'restoration';
  fiscalYear: number;
  lineCount: number;
  totalFen: number;
  lines: QuotaYearLine[];
}

/** The bank's answer, with its own count and total of what it cancelled or restored for the notice. */
export interface QuotaYearAnswerBody {
  noticeId: string;
  kind: 'cancellation' | 'restoration';
  result: 'confirmed' | 'refused';
  lineCount: number;
  totalFen: number;
  reason?: string;
}

export const reportKinds = ['daily_report', 'payment_list', 'recon_file'] as const;
export type ReportKind = (typeof reportKinds)[number];

export function newMsgId(): string {
  return randomUUID();
}

export function buildMessage<B>(
  head: Omit<MessageHead, 'msgId' | 'sendTime'> & { msgId?: string; sendTime: Date | string },
  body: B,
): AppMessage<B> {
  const sendTime = typeof head.sendTime === 'string' ? head.sendTime : head.sendTime.toISOString();
  return { head: { ...head, sendTime, msgId: head.msgId ?? newMsgId() }, body };
}

export type ParsedMessage = { ok: true; message: AppMessage } | { ok: false; error: string };

export function parseMessage(text: string): ParsedMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
  const parsed = envelopeSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `${issue?.path.join('.') ?? '(root)'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, message: parsed.data };
}

export function isVoucherKind(kind: MessageKind): kind is 'direct_payment' | 'authorized_payment' {
  return kind === 'direct_payment' || kind === 'authorized_payment';
}
