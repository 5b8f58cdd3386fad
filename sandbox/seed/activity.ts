/**
 * One bank's seeded traffic for the previous working day P and the business date D: vouchers of
 * both pay types through their whole life, quota notices, receipts, P's reports, and the message
 * log and serial numbers that record all of it — plus the bank's own books of the same events.
 */
import type { Selectable } from 'kysely';
import type {
  BankReportTable,
  MessageKind,
  QuotaNoticeTable,
  QuotaTable,
  ReceiptTable,
  VoucherStatus,
  MessageLogTable,
  VoucherTable,
} from '../../connectors/treasury/schema.ts';
import type { LedgerItem, Payment } from '../bank/ledger.ts';
import { buildReport } from '../bank/reports.ts';
import { instantAt } from '../calendar.ts';
import { unsentVoucher } from './voucher-row.ts';
import { reportKinds } from '../messages.ts';
import type { BaseData } from './base-data.ts';
import { rejectionReasons } from './names.ts';
import type { Prng } from './prng.ts';

export interface ActivityInput {
  bank: { code: string; window: { open: string; close: string } };
  base: BaseData;
  prevDate: string;
  date: string;
  /** The seeding instant: nothing on D happens after it. */
  now: Date;
  timeZone: string;
  vouchersPerDay: readonly [number, number];
  prng: Prng;
}

export type LogRow = Omit<Selectable<MessageLogTable>, 'id'>;

export interface BankActivity {
  vouchers: VoucherTable[];
  quotas: QuotaTable[];
  notices: QuotaNoticeTable[];
  receipts: ReceiptTable[];
  reports: BankReportTable[];
  log: LogRow[];
  lastSerial: { out: number; in: number };
  ledger: { items: LedgerItem[]; payments: (Payment & { paid_date: string })[]; lastSerialIn: number };
}

interface OutEvent {
  at: number;
  kind: MessageKind;
  date: string;
  ref: string;
  delivered: boolean;
  assign: (serial: number) => void;
}
interface InEvent {
  at: number;
  kind: MessageKind;
  date: string;
  ref: string | null;
}

const MIN = 60_000;

export function generateBankActivity(input: ActivityInput): BankActivity {
  const { bank, base, prevDate, date, now, timeZone, prng } = input;
  const code = bank.code;
  const iso = (ms: number) => new Date(ms).toISOString();
  const ymd = (d: string) => d.replaceAll('-', '');
  const msgId = () =>
    [8, 4, 4, 4, 12]
      .map((n) => Array.from({ length: n }, () => prng.int(0, 15).toString(16)).join(''))
      .join('-');
  const amount = () =>
    Math.round(Math.exp(Math.log(10_000) + prng.next() * (Math.log(80_000_000) - Math.log(10_000))));
  const year = Number(date.slice(0, 4));

  const quotas: QuotaTable[] = Array.from({ length: prng.int(3, 6) }, (_, i) => ({
    quota_id: `ED${year}${code}${String(i + 1).padStart(3, '0')}`,
    fiscal_year: year,
    bank_code: code,
    budget_unit_code: prng.pick(base.units).code,
    subject_code: prng.pick(base.subjects).code,
    amount_fen: prng.int(50, 500) * 1_000_000,
    used_fen: 0,
    status: 'active',
  }));

  const vouchers: VoucherTable[] = [];
  const notices: QuotaNoticeTable[] = [];
  const receipts: ReceiptTable[] = [];
  const reports: BankReportTable[] = [];
  const outs: OutEvent[] = [];
  const ins: InEvent[] = [];
  const items: LedgerItem[] = [];
  const payments: (Payment & { paid_date: string })[] = [];
  let seq = 0;
  const receiptSeq = new Map<string, number>();

  const addVoucher = (day: string, status: VoucherStatus, submitted: number | null) => {
    seq += 1;
    const authorized = prng.chance(0.3);
    const quota = authorized ? prng.pick(quotas) : undefined;
    const payee = prng.pick(base.payees);
    const voucherNo = `${authorized ? 'SQ' : 'ZZ'}${ymd(day)}${code}${String(seq).padStart(4, '0')}`;
    const v: VoucherTable = unsentVoucher({
      voucher_no: voucherNo,
      fiscal_year: Number(day.slice(0, 4)),
      bank_code: code,
      pay_type: authorized ? 'authorized' : 'direct',
      amount_fen: amount(),
      payee_account_id: payee.id,
      budget_unit_code: quota?.budget_unit_code ?? prng.pick(base.units).code,
      subject_code: quota?.subject_code ?? prng.pick(base.subjects).code,
      status,
      business_date: day,
      submitted_at: submitted === null ? null : iso(submitted),
      updated_at: iso(submitted ?? now.getTime() - 30 * MIN),
    });
    vouchers.push(v);
    if (status === 'draft' || status === 'pending_send' || submitted === null) return v;

    const sentAt = submitted + prng.int(20, 150) * 1000;
    v.sent_at = iso(sentAt);
    v.updated_at = v.sent_at;
    const kind = authorized ? 'authorized_payment' : 'direct_payment';
    const delivered = status !== 'sent';
    outs.push({ at: sentAt, kind, date: day, ref: voucherNo, delivered, assign: (s) => (v.serial_no = s) });
    if (!delivered) return v;

    const ackAt = sentAt + prng.int(15, 90) * 1000;
    ins.push({ at: ackAt, kind: 'voucher_ack', date: day, ref: voucherNo });
    const item: LedgerItem = {
      bank_code: code,
      ref_no: voucherNo,
      kind: v.pay_type,
      amount_fen: v.amount_fen,
      payee_account_no: payee.account_no,
      status: 'accepted',
      business_date: day,
      received_at: iso(ackAt - 5000),
      paid_at: null,
      receipt_no: null,
      failure_code: null,
      failure_reason: null,
      serial_no: 0,
    };
    items.push(item);
    const assignOut = outs[outs.length - 1] as OutEvent;
    const assignVoucher = assignOut.assign;
    assignOut.assign = (s) => {
      assignVoucher(s);
      item.serial_no = s;
    };
    if (status === 'rejected') {
      const [failureCode, reason] = prng.pick(rejectionReasons) as readonly [string, string];
      Object.assign(v, { failure_code: failureCode, failure_reason: reason, updated_at: iso(ackAt) });
      Object.assign(item, { status: 'rejected', failure_code: failureCode, failure_reason: reason });
      return v;
    }
    v.accepted_at = iso(ackAt);
    v.updated_at = v.accepted_at;
    if (quota) quota.used_fen += v.amount_fen;
    if (status === 'accepted') return v;

    const cap =
      day === date ? now.getTime() - 2 * MIN : instantAt(day, bank.window.close, timeZone).getTime() - MIN;
    const paidAt = Math.min(ackAt + prng.int(3, 50) * MIN, Math.max(cap, ackAt + 30_000));
    // Numbered per bank and day, as the bank numbers them live (count of the day's payments + 1).
    receiptSeq.set(day, (receiptSeq.get(day) ?? 0) + 1);
    const receiptNo = `HD${ymd(day)}${code}${String(receiptSeq.get(day)).padStart(5, '0')}`;
    Object.assign(v, { paid_at: iso(paidAt), updated_at: iso(paidAt + 20_000) });
    Object.assign(item, { status: 'paid', paid_at: iso(paidAt), receipt_no: receiptNo });
    payments.push({
      voucher_no: voucherNo,
      amount_fen: v.amount_fen,
      paid_at: iso(paidAt),
      paid_date: day,
      receipt_no: receiptNo,
    });
    ins.push({ at: paidAt + 20_000, kind: 'receipt', date: day, ref: voucherNo });
    receipts.push({
      receipt_no: receiptNo,
      bank_code: code,
      voucher_no: voucherNo,
      amount_fen: v.amount_fen,
      paid_date: day,
      received_at: iso(paidAt + 20_000),
      registered: 1,
      registered_at: iso(paidAt + prng.int(1, 10) * MIN),
      register_error: null,
    });
    return v;
  };

  // Previous working day: everything processed, a few rejected.
  const pOpen = instantAt(prevDate, bank.window.open, timeZone).getTime() + 10 * MIN;
  const pLast = instantAt(prevDate, bank.window.close, timeZone).getTime() - 60 * MIN;
  const pCount = prng.int(...input.vouchersPerDay);
  for (const t of spread(prng, pCount, pOpen, pLast))
    addVoucher(prevDate, prng.chance(0.05) ? 'rejected' : 'paid', t);

  // D, a morning in progress: most paid, some accepted, a few in flight, a couple just submitted.
  const nowMs = now.getTime();
  const dOpen = instantAt(date, bank.window.open, timeZone).getTime() + 5 * MIN;
  const dLast = nowMs - 8 * MIN;
  const dFirst =
    dLast - dOpen >= 30 * MIN
      ? dOpen
      : Math.max(instantAt(date, '00:05', timeZone).getTime(), dLast - 150 * MIN);
  const dCount = prng.int(...input.vouchersPerDay);
  const times = spread(prng, dCount, dFirst, Math.max(dLast, dFirst + MIN));
  const inFlight = Math.min(prng.int(1, 3), Math.max(0, dCount - 2));
  const accepted = Math.round(dCount * 0.15);
  times.forEach((t, i) => {
    const fromEnd = dCount - i;
    addVoucher(date, fromEnd <= inFlight ? 'sent' : fromEnd <= inFlight + accepted ? 'accepted' : 'paid', t);
  });
  for (let i = 0; i < 2; i++) addVoucher(date, 'pending_send', nowMs - prng.int(40, 280) * 1000);
  for (let i = 0; i < prng.int(1, 3); i++) addVoucher(date, 'draft', null);

  // Quota notices: one per quota, most on P, the rest on D; all accepted by the bank.
  quotas.forEach((q, i) => {
    const day = i < quotas.length - 1 ? prevDate : date;
    const submitted =
      day === prevDate ? pOpen + prng.int(0, 60) * MIN : Math.max(dFirst, dLast - prng.int(30, 60) * MIN);
    const sentAt = submitted + 60_000;
    const notice: QuotaNoticeTable = {
      notice_no: `EDTZ${ymd(day)}${code}${String(i + 1).padStart(3, '0')}`,
      quota_id: q.quota_id,
      bank_code: code,
      amount_fen: q.amount_fen,
      status: 'accepted',
      business_date: day,
      submitted_at: iso(submitted),
      sent_at: iso(sentAt),
    };
    notices.push(notice);
    const item: LedgerItem = {
      bank_code: code,
      ref_no: notice.notice_no,
      kind: 'quota_notice',
      amount_fen: q.amount_fen,
      payee_account_no: null,
      status: 'accepted',
      business_date: day,
      received_at: iso(sentAt + 5000),
      paid_at: null,
      receipt_no: null,
      failure_code: null,
      failure_reason: null,
      serial_no: 0,
    };
    items.push(item);
    outs.push({
      at: sentAt,
      kind: 'quota_notice',
      date: day,
      ref: notice.notice_no,
      delivered: true,
      assign: (s) => (item.serial_no = s),
    });
    ins.push({ at: sentAt + 30_000, kind: 'voucher_ack', date: day, ref: notice.notice_no });
  });

  // P's reports, received after the bank's close.
  const pPayments = payments
    .filter((p) => p.paid_date === prevDate)
    .sort((a, b) => a.paid_at.localeCompare(b.paid_at));
  const closeP = instantAt(prevDate, bank.window.close, timeZone).getTime();
  reportKinds.forEach((kind, i) => {
    const report = buildReport(kind, prevDate, pPayments);
    const at = closeP + (5 + i) * MIN + prng.int(0, 50) * 1000;
    reports.push({
      bank_code: code,
      kind,
      business_date: prevDate,
      received_at: iso(at),
      line_count: report.lineCount,
      total_fen: report.totalFen,
      content_digest: report.digest,
    });
    ins.push({ at, kind, date: prevDate, ref: null });
  });

  // Serial numbers in time order; messages still in flight take the highest ones.
  const log: LogRow[] = [];
  let outSerial = prng.int(2000, 9000);
  const ordered = [...outs.filter((o) => o.delivered), ...outs.filter((o) => !o.delivered)];
  ordered.sort((a, b) => Number(a.delivered === b.delivered ? a.at - b.at : a.delivered ? -1 : 1));
  let lastDelivered = outSerial;
  for (const o of ordered) {
    outSerial += 1;
    o.assign(outSerial);
    if (o.delivered) lastDelivered = outSerial;
    log.push(row(code, 'out', o.kind, o.date, outSerial, o.ref, msgId(), iso(o.at)));
  }
  let inSerial = prng.int(2000, 9000);
  for (const e of ins.sort((a, b) => a.at - b.at)) {
    inSerial += 1;
    log.push(row(code, 'in', e.kind, e.date, inSerial, e.ref, msgId(), iso(e.at)));
  }
  log.sort((a, b) => a.created_at.localeCompare(b.created_at));

  return {
    vouchers,
    quotas,
    notices,
    receipts,
    reports,
    log,
    lastSerial: { out: outSerial, in: inSerial },
    ledger: { items, payments, lastSerialIn: lastDelivered },
  };
}

function row(
  bank_code: string,
  direction: 'out' | 'in',
  kind: MessageKind,
  business_date: string,
  serial_no: number,
  ref_no: string | null,
  msg_id: string,
  created_at: string,
): LogRow {
  return { bank_code, direction, kind, business_date, serial_no, ref_no, msg_id, created_at };
}

function spread(prng: Prng, n: number, from: number, to: number): number[] {
  return Array.from({ length: n }, () => from + Math.floor(prng.next() * Math.max(1, to - from))).sort(
    (a, b) => a - b,
  );
}
