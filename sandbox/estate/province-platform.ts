/**
 * The province's budget-integration platform in the sandbox: its own database (province.db) of the
 * vouchers it hands down to the county and the payment data it has taken up. Each voucher and each
 * payment is held once per key (division, year, voucher type, number): a second signing, return or
 * upload of an item already taken is acknowledged as `duplicate` and counted, never taken again.
 * The counters let a test see that replays delivered nothing twice.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type {
  DownVoucher,
  DownVoucherState,
  ItemKey,
  ItemResult,
  PaymentData,
  VoucherStatusAnswer,
} from '../../domain/exchange-protocol.ts';

const ddl = `
CREATE TABLE IF NOT EXISTS down_vouchers (
  division TEXT NOT NULL, fiscal_year INTEGER NOT NULL, voucher_type TEXT NOT NULL, voucher_no TEXT NOT NULL,
  content TEXT NOT NULL, state TEXT NOT NULL, reason TEXT, issued_at TEXT NOT NULL,
  signed_at TEXT, returned_at TEXT, signings INTEGER NOT NULL DEFAULT 0, returns INTEGER NOT NULL DEFAULT 0,
  repeats INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (division, fiscal_year, voucher_type, voucher_no));
CREATE INDEX IF NOT EXISTS down_vouchers_state ON down_vouchers (division, voucher_type, state, issued_at);
CREATE TABLE IF NOT EXISTS payments (
  division TEXT NOT NULL, fiscal_year INTEGER NOT NULL, voucher_type TEXT NOT NULL, voucher_no TEXT NOT NULL,
  content TEXT NOT NULL, received_at TEXT NOT NULL, repeats INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (division, fiscal_year, voucher_type, voucher_no));
`;

interface DownRow {
  content: string;
  state: DownVoucherState;
  reason: string | null;
  issued_at: string;
  signed_at: string | null;
  returned_at: string | null;
  signings: number;
  returns: number;
  repeats: number;
}

/** How often the platform took an item, and how often it was offered again. */
export interface ItemCounts {
  /** Signings taken (0 or 1 when nothing is taken twice). */
  signings: number;
  returns: number;
  /** Signings or returns offered again for an item already in that state. */
  repeatedDown: number;
  /** Payment data taken (0 or 1). */
  uploads: number;
  repeatedUploads: number;
}

export type ProvincePlatform = ReturnType<typeof openProvincePlatform>;

export function openProvincePlatform(path: string, now: () => Date) {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(ddl);
  const keyArgs = (division: string, k: ItemKey) => [division, k.fiscalYear, k.voucherType, k.voucherNo];
  const where = 'division = ? AND fiscal_year = ? AND voucher_type = ? AND voucher_no = ?';
  const downRow = db.prepare<unknown[], DownRow>(`SELECT * FROM down_vouchers WHERE ${where}`);
  const paymentRow = db.prepare<unknown[], { content: string; received_at: string; repeats: number }>(
    `SELECT content, received_at, repeats FROM payments WHERE ${where}`,
  );
  const at = () => now().toISOString();

  /** One signing or return per item, each in its state machine; repeats acknowledged and counted. */
  const settle = (division: string, k: ItemKey, to: 'signed' | 'returned', reason?: string): ItemResult => {
    const row = downRow.get(...keyArgs(division, k));
    if (!row) return { ...k, result: 'unknown' };
    if (row.state === to) {
      db.prepare(`UPDATE down_vouchers SET repeats = repeats + 1 WHERE ${where}`).run(
        ...keyArgs(division, k),
      );
      return { ...k, result: 'duplicate', state: to };
    }
    // A signed voucher is final; a returned one may be signed once the county has fixed its cause.
    if (row.state === 'signed') return { ...k, result: 'refused', state: row.state };
    if (to === 'signed')
      db.prepare(
        `UPDATE down_vouchers SET state = 'signed', signed_at = ?, signings = signings + 1 WHERE ${where}`,
      ).run(at(), ...keyArgs(division, k));
    else
      db.prepare(
        `UPDATE down_vouchers SET state = 'returned', reason = ?, returned_at = ?, returns = returns + 1 WHERE ${where}`,
      ).run(reason ?? null, at(), ...keyArgs(division, k));
    return { ...k, result: 'accepted', state: to };
  };

  return {
    /** The province issues vouchers to the county (they wait unsigned until the client reads them). */
    issue(division: string, vouchers: readonly DownVoucher[]): void {
      const insert = db.prepare(
        `INSERT INTO down_vouchers (division, fiscal_year, voucher_type, voucher_no, content, state, issued_at)
         VALUES (?, ?, ?, ?, ?, 'unsigned', ?)`,
      );
      db.transaction(() => {
        for (const v of vouchers) insert.run(...keyArgs(division, v), JSON.stringify(v), at());
      })();
    },
    /** How many vouchers of a type and day were issued (for numbering). */
    issuedCount(division: string, voucherType: string, prefix: string): number {
      return (
        db
          .prepare<unknown[], { n: number }>(
            'SELECT count(*) AS n FROM down_vouchers WHERE division = ? AND voucher_type = ? AND voucher_no LIKE ?',
          )
          .get(division, voucherType, `${prefix}%`)?.n ?? 0
      );
    },
    /** Unsigned vouchers, oldest first, at most `limit`; `more` when others wait behind them. */
    unsigned(division: string, q: { voucherType: string; fiscalYear?: number; limit: number }) {
      const rows = db
        .prepare<unknown[], { content: string }>(
          `SELECT content FROM down_vouchers WHERE division = ? AND voucher_type = ? AND state = 'unsigned'
           ${q.fiscalYear ? 'AND fiscal_year = ?' : ''} ORDER BY issued_at, voucher_no LIMIT ?`,
        )
        .all(division, q.voucherType, ...(q.fiscalYear ? [q.fiscalYear] : []), q.limit + 1);
      return {
        vouchers: rows.slice(0, q.limit).map((r) => JSON.parse(r.content) as DownVoucher),
        more: rows.length > q.limit,
      };
    },
    sign: (division: string, keys: readonly ItemKey[]) =>
      db.transaction(() => keys.map((k) => settle(division, k, 'signed')))(),
    returnItems: (division: string, items: readonly (ItemKey & { reason: string })[]) =>
      db.transaction(() => items.map((k) => settle(division, k, 'returned', k.reason)))(),
    /** Payment data: taken once per key; the same again is a duplicate, other content a conflict. */
    upload(division: string, items: readonly PaymentData[]): ItemResult[] {
      return db.transaction(() =>
        items.map((p): ItemResult => {
          const key = { fiscalYear: p.fiscalYear, voucherType: p.voucherType, voucherNo: p.voucherNo };
          const content = JSON.stringify(p);
          const row = paymentRow.get(...keyArgs(division, p));
          if (!row) {
            db.prepare(
              `INSERT INTO payments (division, fiscal_year, voucher_type, voucher_no, content, received_at) VALUES (?, ?, ?, ?, ?, ?)`,
            ).run(...keyArgs(division, p), content, at());
            return { ...key, result: 'accepted' };
          }
          db.prepare(`UPDATE payments SET repeats = repeats + 1 WHERE ${where}`).run(...keyArgs(division, p));
          return { ...key, result: row.content === content ? 'duplicate' : 'conflict' };
        }),
      )();
    },
    status(division: string, k: ItemKey): VoucherStatusAnswer | undefined {
      const row = downRow.get(...keyArgs(division, k));
      if (!row) return undefined;
      const payment = paymentRow.get(...keyArgs(division, k));
      return {
        key: k,
        state: row.state,
        ...(row.reason && { reason: row.reason }),
        issuedAt: row.issued_at,
        ...(row.signed_at && { signedAt: row.signed_at }),
        ...(row.returned_at && { returnedAt: row.returned_at }),
        voucher: JSON.parse(row.content) as DownVoucher,
        ...(payment && { paymentReceivedAt: payment.received_at }),
      };
    },
    /** Payment data as the platform holds it, or undefined. */
    payment(division: string, k: ItemKey): (PaymentData & { receivedAt: string }) | undefined {
      const row = paymentRow.get(...keyArgs(division, k));
      return row && { ...(JSON.parse(row.content) as PaymentData), receivedAt: row.received_at };
    },
    counts(division: string, k: ItemKey): ItemCounts {
      const down = downRow.get(...keyArgs(division, k));
      const up = paymentRow.get(...keyArgs(division, k));
      return {
        signings: down?.signings ?? 0,
        returns: down?.returns ?? 0,
        repeatedDown: down?.repeats ?? 0,
        uploads: up ? 1 : 0,
        repeatedUploads: up?.repeats ?? 0,
      };
    },
    /** Totals by state (down) and payments taken, for the sandbox's state view. */
    summary(division: string) {
      const down = db
        .prepare<unknown[], { voucher_type: string; state: string; n: number }>(
          'SELECT voucher_type, state, count(*) AS n FROM down_vouchers WHERE division = ? GROUP BY voucher_type, state',
        )
        .all(division);
      const up = db
        .prepare<unknown[], { voucher_type: string; n: number }>(
          'SELECT voucher_type, count(*) AS n FROM payments WHERE division = ? GROUP BY voucher_type',
        )
        .all(division);
      return { down, paymentsReceived: up };
    },
    close: () => db.close(),
  };
}
