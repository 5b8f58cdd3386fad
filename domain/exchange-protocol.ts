/**
 * The budget-integration data exchange (预算管理一体化 数据交换) as both ends speak it: the province's
 * platform and a county's exchange client. Items are keyed by division (区划代码), fiscal year,
 * voucher type (凭证类型) and voucher number. Downlink (下行): the platform hands out unsigned
 * vouchers in pages of at most 100; the client signs for each (签收) or returns it with a reason
 * (退回). Uplink (上行): the client sends payment data (支付数据) of paid vouchers. Every request is
 * signed with the client's certificate key over `signingInput`; the platform answers a repeated
 * item with `duplicate`, never taking it twice.
 */
import { z } from 'zod';

/** The voucher types the payment system exchanges, and the pay type each becomes locally. */
export const exchangeVoucherTypes = {
  /** 财政直接支付凭证 */
  '5201': 'direct',
  /** 财政授权支付凭证 */
  '8202': 'authorized',
} as const;
export type ExchangeVoucherType = keyof typeof exchangeVoucherTypes;

export function voucherTypeOfPayType(payType: 'direct' | 'authorized'): ExchangeVoucherType {
  return payType === 'direct' ? '5201' : '8202';
}

/** The most items one read hands out, and one call may carry. */
export const maxPageSize = 100;

export const exchangeHeaders = {
  division: 'x-exchange-division',
  timestamp: 'x-exchange-timestamp',
  /** The client's certificate, DER in base64. */
  certificate: 'x-exchange-certificate',
  /** RSA-SHA256 over `signingInput`, base64. */
  signature: 'x-exchange-signature',
} as const;

/** Why the platform refuses a request (HTTP 401/400/503), with what the client logs in Chinese. */
export const refusalCodes = {
  signatureInvalid: 'SIGNATURE_INVALID',
  certificateExpired: 'CERT_EXPIRED',
  certificateUntrusted: 'CERT_UNTRUSTED',
  divisionMismatch: 'DIVISION_MISMATCH',
  timestampSkew: 'TIMESTAMP_SKEW',
  badRequest: 'BAD_REQUEST',
  busy: 'PLATFORM_BUSY',
} as const;
export type RefusalCode = (typeof refusalCodes)[keyof typeof refusalCodes];

/** How far a request's timestamp may be from the platform's clock. */
export const maxClockSkewMs = 5 * 60_000;

/** The text a request's signature covers: method, path with query, timestamp, SHA-256 of the body. */
export function signingInput(
  method: string,
  pathAndQuery: string,
  timestamp: string,
  bodySha256: string,
): string {
  return `${method.toUpperCase()}\n${pathAndQuery}\n${timestamp}\n${bodySha256}`;
}

/** The subject's organisational unit carries the division the certificate was issued to. */
export function certificateDivision(subject: string): string | undefined {
  return /(?:^|\n|,\s*)OU=(\d{6})(?:$|\n|,)/.exec(subject)?.[1];
}

const voucherType = z.enum(
  Object.keys(exchangeVoucherTypes) as [ExchangeVoucherType, ...ExchangeVoucherType[]],
);
const fen = z.number().int().positive().max(1e13);

export const itemKeySchema = z
  .object({
    fiscalYear: z.number().int().min(2000).max(2100),
    voucherType,
    voucherNo: z.string().regex(/^[A-Za-z0-9]{1,40}$/, 'letters and digits, at most 40'),
  })
  .strict();
export type ItemKey = z.infer<typeof itemKeySchema>;

export function itemKeyText(division: string, k: ItemKey): string {
  return `${division}/${k.fiscalYear}/${k.voucherType}/${k.voucherNo}`;
}

/** A voucher the province hands down (下行). */
export const downVoucherSchema = itemKeySchema
  .extend({
    businessDate: z.iso.date(),
    amountFen: fen,
    budgetUnitCode: z.string().min(1).max(32),
    subjectCode: z.string().min(1).max(32),
    /** The agent bank that pays it. */
    bankCode: z.string().min(1).max(12),
    payee: z
      .object({
        accountNo: z.string().min(1).max(40),
        accountName: z.string().min(1).max(100),
        bankName: z.string().min(1).max(100),
      })
      .strict(),
  })
  .strict();
export type DownVoucher = z.infer<typeof downVoucherSchema>;

/** Payment data of a paid voucher, sent up (上行). */
export const paymentDataSchema = itemKeySchema
  .extend({
    status: z.literal('paid'),
    amountFen: fen,
    paidAt: z.iso.datetime({ offset: true }),
    budgetUnitCode: z.string().min(1).max(32),
  })
  .strict();
export type PaymentData = z.infer<typeof paymentDataSchema>;

const batch = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item).min(1).max(maxPageSize) }).strict();
export const signRequestSchema = batch(itemKeySchema);
export const returnRequestSchema = batch(
  itemKeySchema.extend({ reason: z.string().min(1).max(200) }).strict(),
);
export const uploadRequestSchema = batch(paymentDataSchema);

export const unsignedQuerySchema = z
  .object({
    voucherType,
    fiscalYear: z.coerce.number().int().min(2000).max(2100).optional(),
    limit: z.coerce.number().int().min(1).max(maxPageSize).default(maxPageSize),
  })
  .strict();

/**
 * The platform's answer per item: `accepted` (taken now), `duplicate` (taken before: acknowledged,
 * not taken again), `conflict` (taken before with other content; the first stands), `unknown`
 * (no such voucher), `refused` (a state that does not allow it, e.g. signing a voucher never issued).
 */
export type ItemResult = ItemKey & {
  result: 'accepted' | 'duplicate' | 'conflict' | 'unknown' | 'refused';
  state?: DownVoucherState;
};

export type DownVoucherState = 'unsigned' | 'signed' | 'returned';

/** The platform's status answer for one voucher. */
export interface VoucherStatusAnswer {
  key: ItemKey;
  state: DownVoucherState;
  reason?: string;
  issuedAt: string;
  signedAt?: string;
  returnedAt?: string;
  voucher: DownVoucher;
  /** Whether payment data for it has arrived, and when. */
  paymentReceivedAt?: string;
}

export interface ExchangeQueue {
  up: Record<string, number>;
  down: Record<string, number>;
  oldestUpAt: string | null;
}

/** What the exchange client's local admin endpoint (`GET /status`) answers. */
export interface ExchangeClientStatus {
  client: string;
  version: string;
  pid: number;
  division: string;
  startedAt: string;
  /** When the client last finished a cycle; a running client that stops moving keeps answering with an old one. */
  lastCycleAt: string | null;
  cycles: number;
  intervalMs: number;
  lastError: { at: string; message: string; code?: string } | null;
  certificate: {
    subject: string;
    issuer: string;
    serialNumber: string;
    notBefore: string;
    notAfter: string;
    daysLeft: number;
  } | null;
  /** Per voucher type: items by direction and status, and when the oldest waiting `up` item was collected. */
  queues: Record<string, ExchangeQueue>;
}
