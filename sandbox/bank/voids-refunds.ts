/**
 * An agent bank's void (作废) and refund (退款) desk: voids a voucher it has accepted but not yet
 * paid, refuses once it has paid; returns a paid voucher's money on finance's refund request or
 * on its own (payee account closed), and tells finance with a refund notice. Both are kept in
 * the bank's own books (banks.db), so a status query can say what the bank did even when its
 * answer or notice never reached finance.
 */
import type Database from 'better-sqlite3';
import { localDate } from '../calendar.ts';
import type {
  AppMessage,
  RefundNoticeBody,
  RefundRequestBody,
  RefundState,
  VoidAnswerBody,
  VoidRequestBody,
  VoidState,
} from '../messages.ts';
import type { BankLedger } from './ledger.ts';

const ddl = `
CREATE TABLE IF NOT EXISTS bank_voids (
  bank_code TEXT NOT NULL, voucher_no TEXT NOT NULL, state TEXT NOT NULL, at TEXT NOT NULL, reason TEXT,
  PRIMARY KEY (bank_code, voucher_no));
CREATE TABLE IF NOT EXISTS bank_refunds (
  bank_code TEXT NOT NULL, refund_no TEXT NOT NULL, voucher_no TEXT NOT NULL, amount_fen INTEGER NOT NULL,
  state TEXT NOT NULL, refund_date TEXT NOT NULL, initiated_by TEXT NOT NULL, reason TEXT, at TEXT NOT NULL,
  PRIMARY KEY (bank_code, refund_no));
CREATE INDEX IF NOT EXISTS bank_refunds_voucher ON bank_refunds (bank_code, voucher_no);
`;

interface VoidRow {
  voucher_no: string;
  state: 'voided' | 'refused';
  at: string;
  reason: string | null;
}

interface RefundRow {
  refund_no: string;
  voucher_no: string;
  amount_fen: number;
  state: 'refunded' | 'refused';
  refund_date: string;
  initiated_by: 'finance' | 'bank';
  reason: string | null;
  at: string;
}

export interface DeskDeps {
  code: string;
  ledger: BankLedger;
  now: () => Date;
  timeZone: string;
  /** Sends a message to finance on the bank's outbound queue. */
  reply(msgType: 'void_answer' | 'refund_notice', businessDate: string, body: unknown): void;
  /** The application serial rule; undefined when the serial is the next one expected. */
  serialRejection(serial: number): { code: string; reason: string } | undefined;
}

export type VoidRefundDesk = ReturnType<typeof createVoidRefundDesk>;

/** Creates the desk's tables in the bank's books (idempotent). */
export function ensureDeskTables(db: Database.Database): void {
  db.exec(ddl);
}

export function createVoidRefundDesk(deps: DeskDeps) {
  const { code, ledger, now, timeZone } = deps;
  const db = ledger.db;
  ensureDeskTables(db);
  const st = {
    void: db.prepare(
      'SELECT voucher_no, state, at, reason FROM bank_voids WHERE bank_code = ? AND voucher_no = ?',
    ),
    putVoid: db.prepare('INSERT OR REPLACE INTO bank_voids VALUES (?, ?, ?, ?, ?)'),
    markVoided: db.prepare(
      "UPDATE bank_items SET status = 'voided' WHERE bank_code = ? AND ref_no = ? AND status IN ('accepted', 'rejected')",
    ),
    refund: db.prepare('SELECT * FROM bank_refunds WHERE bank_code = ? AND refund_no = ?'),
    refundOfVoucher: db.prepare(
      "SELECT * FROM bank_refunds WHERE bank_code = ? AND voucher_no = ? AND state = 'refunded' ORDER BY at DESC LIMIT 1",
    ),
    putRefund: db.prepare(
      `INSERT INTO bank_refunds (bank_code, refund_no, voucher_no, amount_fen, state, refund_date, initiated_by, reason, at)
       VALUES (@bank_code, @refund_no, @voucher_no, @amount_fen, @state, @refund_date, @initiated_by, @reason, @at)`,
    ),
    countRefunds: db.prepare(
      'SELECT COUNT(*) AS n FROM bank_refunds WHERE bank_code = ? AND refund_date = ?',
    ),
  };
  const today = () => localDate(now(), timeZone);
  const voidRow = (voucherNo: string) => st.void.get(code, voucherNo) as VoidRow | undefined;
  const refundRow = (refundNo: string) => st.refund.get(code, refundNo) as RefundRow | undefined;

  const voidAnswer = (row: VoidRow): VoidAnswerBody => ({
    voucherNo: row.voucher_no,
    result: row.state,
    ...(row.reason && { reason: row.reason }),
  });
  const notice = (
    row: RefundRow,
    voucherNo = row.voucher_no,
    amountFen = row.amount_fen,
  ): RefundNoticeBody => ({
    refundNo: row.refund_no,
    voucherNo,
    amountFen,
    result: row.state,
    refundDate: row.refund_date,
    initiatedBy: row.initiated_by,
    ...(row.reason && { reason: row.reason }),
  });

  /** Decides and books a void; a second request for the same voucher gets the same answer. */
  function voidVoucher(voucherNo: string): VoidAnswerBody {
    const known = voidRow(voucherNo);
    if (known) return voidAnswer(known);
    const item = ledger.item(code, voucherNo);
    if (!item) return { voucherNo, result: 'refused', reason: '银行无此凭证记录' };
    const at = now().toISOString();
    const row: VoidRow =
      item.status === 'paid'
        ? {
            voucher_no: voucherNo,
            state: 'refused',
            at,
            reason: `凭证已于 ${item.paid_at ?? ''} 支付，不能作废`,
          }
        : { voucher_no: voucherNo, state: 'voided', at, reason: null };
    ledger.transaction(() => {
      if (row.state === 'voided') st.markVoided.run(code, voucherNo);
      st.putVoid.run(code, voucherNo, row.state, row.at, row.reason);
    });
    return voidAnswer(row);
  }

  function nextRefundNo(date: string): string {
    const n = (st.countRefunds.get(code, date) as { n: number }).n + 1;
    return `TK${date.replaceAll('-', '')}${code}${String(n).padStart(4, '0')}`;
  }

  /** Books a refund of a paid voucher (or its refusal); returns the stored row. */
  function bookRefund(input: {
    refundNo: string;
    voucherNo: string;
    amountFen: number;
    initiatedBy: 'finance' | 'bank';
    reason: string;
  }): RefundRow {
    const known = refundRow(input.refundNo);
    if (known) return known;
    const item = ledger.item(code, input.voucherNo);
    const refusal =
      !item || item.status !== 'paid'
        ? '原凭证未支付，无款可退'
        : st.refundOfVoucher.get(code, input.voucherNo)
          ? '该凭证已退款'
          : input.amountFen <= 0 || input.amountFen > item.amount_fen
            ? `退款金额 ${input.amountFen} 超出原支付金额`
            : null;
    const row: RefundRow = {
      refund_no: input.refundNo,
      voucher_no: input.voucherNo,
      amount_fen: input.amountFen,
      state: refusal ? 'refused' : 'refunded',
      refund_date: today(),
      initiated_by: input.initiatedBy,
      reason: refusal ?? input.reason,
      at: now().toISOString(),
    };
    st.putRefund.run({ bank_code: code, ...row });
    return row;
  }

  const toRefundState = (row: RefundRow | undefined, refundNo: string): RefundState =>
    row
      ? {
          refundNo: row.refund_no,
          known: true,
          state: row.state,
          voucherNo: row.voucher_no,
          amountFen: row.amount_fen,
          refundDate: row.refund_date,
          initiatedBy: row.initiated_by,
          ...(row.reason && { reason: row.reason }),
        }
      : { refundNo, known: false };

  return {
    handleVoidRequest(msg: AppMessage<Partial<VoidRequestBody>>) {
      const voucherNo = String(msg.body.voucherNo ?? '');
      const rejection = deps.serialRejection(msg.head.serialNo);
      if (rejection && !voidRow(voucherNo)) {
        deps.reply('void_answer', msg.head.businessDate, {
          voucherNo,
          result: 'refused',
          reason: rejection.reason,
        } satisfies VoidAnswerBody);
        return;
      }
      if (!rejection) ledger.setLastSerialIn(code, msg.head.serialNo);
      deps.reply('void_answer', msg.head.businessDate, voidVoucher(voucherNo));
    },

    handleRefundRequest(msg: AppMessage<Partial<RefundRequestBody>>) {
      const { refundNo = '', voucherNo = '', amountFen = 0, reason = '' } = msg.body;
      const rejection = deps.serialRejection(msg.head.serialNo);
      if (rejection && !refundRow(refundNo)) return;
      if (!rejection) ledger.setLastSerialIn(code, msg.head.serialNo);
      const row = bookRefund({
        refundNo,
        voucherNo,
        amountFen: Number(amountFen),
        initiatedBy: 'finance',
        reason,
      });
      deps.reply('refund_notice', msg.head.businessDate, notice(row));
    },

    /**
     * The bank returns a paid voucher's money on its own (e.g. the payee's account is closed).
     * `notice` lets a fault send finance a notice that differs from the books (a garbled voucher
     * number, say); `send: false` books the refund but loses the notice.
     */
    refundByBank(
      voucherNo: string,
      reason: string,
      options: {
        amountFen?: number;
        notice?: { voucherNo?: string; amountFen?: number };
        send?: boolean;
      } = {},
    ): RefundNoticeBody {
      const item = ledger.item(code, voucherNo);
      const row = bookRefund({
        refundNo: nextRefundNo(today()),
        voucherNo,
        amountFen: options.amountFen ?? item?.amount_fen ?? 0,
        initiatedBy: 'bank',
        reason,
      });
      const body = notice(row, options.notice?.voucherNo, options.notice?.amountFen);
      if (options.send ?? true) deps.reply('refund_notice', row.refund_date, body);
      return body;
    },

    /** Books a void as the bank would on a request, without answering (the answer was lost). */
    voidQuietly: (voucherNo: string): VoidAnswerBody => voidVoucher(voucherNo),

    /** Books finance's refund request without sending the notice (the notice was lost). */
    refundQuietly: (input: { refundNo: string; voucherNo: string; amountFen: number; reason: string }) =>
      toRefundState(bookRefund({ ...input, initiatedBy: 'finance' }), input.refundNo),

    voidState(voucherNo: string): VoidState | undefined {
      const row = voidRow(voucherNo);
      return row && { state: row.state, at: row.at, ...(row.reason && { reason: row.reason }) };
    },

    refundState: (refundNo: string): RefundState => toRefundState(refundRow(refundNo), refundNo),

    refundOfVoucher(voucherNo: string): RefundState | undefined {
      const row = st.refundOfVoucher.get(code, voucherNo) as RefundRow | undefined;
      return row && toRefundState(row, row.refund_no);
    },
  };
}
