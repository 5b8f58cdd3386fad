/**
 * An agent bank's year-end desk (年终): its own book of the authorized-payment quotas finance has
 * notified (授权支付额度), and the year-end notices — quota cancellation (额度注销) and restoration
 * (额度恢复) — each answered with the bank's own count and total and remembered by notice id, so a
 * notice sent again gets the same answer and cancels or restores nothing more. Faults: the bank
 * refuses, stays silent (the notice waits at the bank until the fault ends), or its books differ
 * from finance's (a payment finance never recorded; a budget unit the bank does not have).
 *
 * Serial numbers (报文序号) run per fiscal year: once the bank has confirmed the cancellation of a
 * year, finance's first message of the next year may start again at 1, and the bank restarts both
 * directions then — its own next message carries 1 too — once per year.
 */
import type Database from 'better-sqlite3';
import type { QuotaTable } from '../../connectors/treasury/schema.ts';
import type { AppMessage, QuotaYearAnswerBody, QuotaYearLine, QuotaYearNoticeBody } from '../messages.ts';
import type { BankLedger } from './ledger.ts';

const ddl = `
CREATE TABLE IF NOT EXISTS bank_quotas (
  bank_code TEXT NOT NULL, quota_id TEXT NOT NULL, fiscal_year INTEGER NOT NULL, budget_unit_code TEXT NOT NULL,
  subject_code TEXT NOT NULL, issued_fen INTEGER NOT NULL, used_fen INTEGER NOT NULL, status TEXT NOT NULL,
  updated_at TEXT NOT NULL, PRIMARY KEY (bank_code, quota_id));
CREATE TABLE IF NOT EXISTS bank_year_notices (
  bank_code TEXT NOT NULL, notice_id TEXT NOT NULL, body TEXT NOT NULL, business_date TEXT NOT NULL,
  answer TEXT, at TEXT NOT NULL, PRIMARY KEY (bank_code, notice_id));
CREATE TABLE IF NOT EXISTS bank_serial_restarts (
  bank_code TEXT NOT NULL, fiscal_year INTEGER NOT NULL, last_in INTEGER NOT NULL, last_out INTEGER NOT NULL,
  at TEXT NOT NULL, PRIMARY KEY (bank_code, fiscal_year));
`;

export interface BankQuota {
  bank_code: string;
  quota_id: string;
  fiscal_year: number;
  budget_unit_code: string;
  subject_code: string;
  issued_fen: number;
  used_fen: number;
  status: 'active' | 'cancelled';
  updated_at: string;
}

interface NoticeRow {
  notice_id: string;
  body: string;
  business_date: string;
  answer: string | null;
}

export interface YearEndDeskDeps {
  code: string;
  ledger: BankLedger;
  now: () => Date;
  reply(msgType: 'quota_year_answer', businessDate: string, body: QuotaYearAnswerBody): void;
  serialRejection(serial: number): { code: string; reason: string } | undefined;
}

export type YearEndDesk = ReturnType<typeof createYearEndDesk>;

/** Creates the desk's tables in the banks' books (idempotent). */
export function ensureYearEndTables(db: Database.Database): void {
  db.exec(ddl);
}

const insertQuota = (db: Database.Database) =>
  db.prepare(
    `INSERT OR IGNORE INTO bank_quotas VALUES (@bank_code, @quota_id, @fiscal_year, @budget_unit_code,
     @subject_code, @issued_fen, @used_fen, @status, @updated_at)`,
  );

/** A bank's book entry for a quota as finance's treasury database holds it. */
export function bankQuota(q: QuotaTable, at: string): BankQuota {
  return {
    bank_code: q.bank_code,
    quota_id: q.quota_id,
    fiscal_year: q.fiscal_year,
    budget_unit_code: q.budget_unit_code,
    subject_code: q.subject_code,
    issued_fen: Number(q.amount_fen),
    used_fen: Number(q.used_fen),
    status: q.status === 'active' ? 'active' : 'cancelled',
    updated_at: at,
  };
}

/** Puts quotas into the banks' books (seeding, or books opened after the treasury was seeded). */
export function putBankQuotas(db: Database.Database, quotas: BankQuota[]): void {
  ensureYearEndTables(db);
  const put = insertQuota(db);
  for (const q of quotas) put.run(q);
}

export function createYearEndDesk(deps: YearEndDeskDeps) {
  const { code, ledger, now } = deps;
  const db = ledger.db;
  ensureYearEndTables(db);
  const st = {
    quota: db.prepare('SELECT * FROM bank_quotas WHERE bank_code = ? AND quota_id = ?'),
    insertQuota: insertQuota(db),
    quotas: db.prepare('SELECT * FROM bank_quotas WHERE bank_code = ? AND fiscal_year = ? ORDER BY quota_id'),
    cancel: db.prepare(
      "UPDATE bank_quotas SET status = 'cancelled', updated_at = ? WHERE bank_code = ? AND quota_id = ? AND status = 'active'",
    ),
    use: db.prepare(
      'UPDATE bank_quotas SET used_fen = used_fen + ?, updated_at = ? WHERE bank_code = ? AND quota_id = ?',
    ),
    notice: db.prepare('SELECT * FROM bank_year_notices WHERE bank_code = ? AND notice_id = ?'),
    park: db.prepare('INSERT OR IGNORE INTO bank_year_notices VALUES (?, ?, ?, ?, NULL, ?)'),
    parked: db.prepare('SELECT * FROM bank_year_notices WHERE bank_code = ? AND answer IS NULL ORDER BY at'),
    answer: db.prepare(
      'INSERT INTO bank_year_notices VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (bank_code, notice_id) DO UPDATE SET answer = excluded.answer',
    ),
    answered: db.prepare(
      'SELECT body, answer FROM bank_year_notices WHERE bank_code = ? AND answer IS NOT NULL',
    ),
    restarted: db.prepare('SELECT 1 FROM bank_serial_restarts WHERE bank_code = ? AND fiscal_year = ?'),
    restart: db.prepare('INSERT INTO bank_serial_restarts VALUES (?, ?, ?, ?, ?)'),
    resetSerials: db.prepare(
      'UPDATE bank_state SET last_serial_in = 0, last_serial_out = 0 WHERE bank_code = ?',
    ),
  };
  // Faults: while refusing or silent the desk decides nothing; a bank that misses a budget unit
  // restores all but the last line of a notice.
  let refusing: string | undefined;
  let silent = false;
  let missingUnit = false;
  // Parked notices are looked for once at start and after the desk parked one, not on every tick.
  let mayHaveParked = true;

  const quota = (quotaId: string) => st.quota.get(code, quotaId) as BankQuota | undefined;
  const newQuota = (
    quotaId: string,
    year: number,
    line: Omit<QuotaYearLine, 'quotaId'>,
    at: string,
  ): BankQuota => ({
    bank_code: code,
    quota_id: quotaId,
    fiscal_year: year,
    budget_unit_code: line.budgetUnitCode,
    subject_code: line.subjectCode,
    issued_fen: line.amountFen,
    used_fen: 0,
    status: 'active',
    updated_at: at,
  });

  /** Cancels what is left of each listed quota still active; restores each listed quota not yet booked. */
  function decide(notice: QuotaYearNoticeBody): QuotaYearAnswerBody {
    const at = now().toISOString();
    let lineCount = 0;
    let totalFen = 0;
    const skipped: string[] = [];
    const lines: QuotaYearLine[] =
      notice.kind === 'restoration' && missingUnit ? notice.lines.slice(0, -1) : notice.lines;
    if (lines.length < notice.lines.length)
      skipped.push(`${notice.lines.at(-1)?.quotaId}：预算单位未在本行登记`);
    ledger.transaction(() => {
      for (const line of lines) {
        const q = quota(line.quotaId);
        if (notice.kind === 'cancellation') {
          if (!q || q.fiscal_year !== notice.fiscalYear) skipped.push(`${line.quotaId}：本行无此额度`);
          else if (st.cancel.run(at, code, line.quotaId).changes === 0)
            skipped.push(`${line.quotaId}：已注销`);
          else {
            lineCount += 1;
            totalFen += q.issued_fen - q.used_fen;
          }
        } else if (q) skipped.push(`${line.quotaId}：已恢复`);
        else {
          st.insertQuota.run(newQuota(line.quotaId, notice.fiscalYear, line, at));
          lineCount += 1;
          totalFen += line.amountFen;
        }
      }
    });
    return {
      noticeId: notice.noticeId,
      kind: notice.kind,
      result: 'confirmed',
      lineCount,
      totalFen,
      ...(skipped.length > 0 && { reason: skipped.join('；') }),
    };
  }

  /** Decides a parked or fresh notice once, remembers the answer, and sends it. */
  function answer(notice: QuotaYearNoticeBody, businessDate: string): void {
    const body = decide(notice);
    st.answer.run(
      code,
      notice.noticeId,
      JSON.stringify(notice),
      businessDate,
      JSON.stringify(body),
      now().toISOString(),
    );
    deps.reply('quota_year_answer', businessDate, body);
  }

  /** The year whose serials may start again: the next after the latest year whose cancellation the bank confirmed. */
  function restartableYear(): number | undefined {
    let closed: number | undefined;
    for (const row of st.answered.all(code) as { body: string; answer: string }[]) {
      const notice = JSON.parse(row.body) as QuotaYearNoticeBody;
      const answer = JSON.parse(row.answer) as QuotaYearAnswerBody;
      if (notice.kind === 'cancellation' && answer.result === 'confirmed')
        closed = Math.max(closed ?? notice.fiscalYear, notice.fiscalYear);
    }
    if (closed === undefined || st.restarted.get(code, closed + 1)) return undefined;
    return closed + 1;
  }

  return {
    /**
     * Finance's serial 1 after the bank confirmed the year's cancellation: the new year's first
     * message. Both directions restart (the old year's last kept); false when it is not that.
     */
    restartSerials(serial: number): boolean {
      if (serial !== 1) return false;
      const year = restartableYear();
      if (year === undefined) return false;
      const state = ledger.state(code);
      ledger.transaction(() => {
        st.restart.run(
          code,
          year,
          state?.last_serial_in ?? 0,
          state?.last_serial_out ?? 0,
          now().toISOString(),
        );
        st.resetSerials.run(code);
      });
      return true;
    },

    handleNotice(msg: AppMessage) {
      const notice = msg.body as unknown as QuotaYearNoticeBody;
      const known = st.notice.get(code, notice.noticeId) as NoticeRow | undefined;
      const serial = deps.serialRejection(msg.head.serialNo);
      if (!serial) ledger.setLastSerialIn(code, msg.head.serialNo);
      const refuse = (reason: string) =>
        deps.reply('quota_year_answer', msg.head.businessDate, {
          noticeId: notice.noticeId,
          kind: notice.kind,
          result: 'refused',
          lineCount: 0,
          totalFen: 0,
          reason,
        });
      // Sent again: the answer the bank gave (nothing decided twice), or nothing while it still waits.
      if (known?.answer)
        return deps.reply('quota_year_answer', msg.head.businessDate, JSON.parse(known.answer));
      if (known) return;
      if (serial) return refuse(serial.reason);
      if (refusing) return refuse(refusing);
      if (silent) {
        mayHaveParked = true;
        st.park.run(
          code,
          notice.noticeId,
          JSON.stringify(notice),
          msg.head.businessDate,
          now().toISOString(),
        );
        return;
      }
      answer(notice, msg.head.businessDate);
    },

    /** The notices that waited while the bank was silent, answered once it is not. */
    answerParked() {
      if (silent || !mayHaveParked) return;
      mayHaveParked = false;
      for (const row of st.parked.all(code) as NoticeRow[])
        answer(JSON.parse(row.body) as QuotaYearNoticeBody, row.business_date);
    },

    /** A quota notice (额度通知单) finance sent and the bank accepted: booked in its quota book. */
    bookQuota(body: Record<string, unknown>, businessDate: string) {
      const line = {
        budgetUnitCode: String(body.budgetUnitCode ?? ''),
        subjectCode: String(body.subjectCode ?? ''),
        amountFen: Number(body.amountFen ?? 0),
      };
      st.insertQuota.run(
        newQuota(String(body.quotaId ?? ''), Number(businessDate.slice(0, 4)), line, now().toISOString()),
      );
    },

    quotas: (year: number) => st.quotas.all(code, year) as BankQuota[],

    /** The notices the bank has decided (each once, however often it was sent). */
    answeredNotices: () =>
      (st.answered.all(code) as { body: string }[]).map((r) => JSON.parse(r.body) as QuotaYearNoticeBody),

    /** Whether the bank restarted its serials for `year`. */
    restartedSerials: (year: number) => st.restarted.get(code, year) !== undefined,

    /** Fault: the bank refuses year-end notices with `reason` (undefined: it stops refusing). */
    refuse(reason: string | undefined) {
      refusing = reason;
    },
    /** Fault: the bank does not answer year-end notices until `silent` is false again. */
    setSilent(value: boolean) {
      silent = value;
    },
    /** Fault: the bank misses the last budget unit of a restoration notice. */
    setMissingUnit(value: boolean) {
      missingUnit = value;
    },
    /** Fault: the bank's books show `amountFen` more used on a quota (a payment finance never recorded); negative to undo. */
    addUse(quotaId: string, amountFen: number) {
      st.use.run(amountFen, now().toISOString(), code, quotaId);
    },
  };
}
