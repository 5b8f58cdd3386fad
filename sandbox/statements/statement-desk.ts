/**
 * The sandbox banks' statement desk: after each bank's close on a working day it writes the day's
 * statements (对账单) of every kind the bank sends, in the bank's own format, into the bank's
 * exchange folder; it answers finance's re-requests (the whole statement or missing packages),
 * files finance's replies (XCheckResult, XDiffNum), writes a generated statement of any size
 * when asked, and carries the statement faults until they are cleared.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { exchangeFolders, type StatementRequest } from '../../connectors/statements/folder-exchange.ts';
import type { TreasuryDb } from '../../connectors/treasury/database.ts';
import { parseStatementFileName } from '../../domain/reconciliation/file-names.ts';
import { parseStatementReply, type ParsedReply } from '../../domain/reconciliation/reply.ts';
import type { StatementHeader, StatementKind, StatementLine } from '../../domain/reconciliation/statement.ts';
import type { BankConfig, SiteConfig } from '../../temporal.config.ts';
import { bankStatementFormat } from '../../temporal.config.ts';
import type { BankLedger } from '../bank/ledger.ts';
import { isWorkday, localDate, localTime } from '../calendar.ts';
import { bankStatementLines, type LineFault } from './bank-lines.ts';
import { writeStatement, type FileFaults } from './write-statement.ts';

export interface StatementFaults {
  lines: Partial<Record<LineFault, number>>;
  files: FileFaults;
  /** Missing packages stay missing when re-requested (the bank holds them). */
  held?: boolean;
}

export interface FiledReply extends ParsedReply {
  bank: string;
  kind: StatementKind;
  date: string;
  receivedAt: string;
}

export interface StatementDeskDeps {
  site: SiteConfig;
  books: BankLedger;
  treasury: TreasuryDb;
  now: () => Date;
  exchangeDir: string;
  log?: Logger;
}

export type StatementDesk = ReturnType<typeof createStatementDesk>;

export function createStatementDesk(deps: StatementDeskDeps) {
  const { site, exchangeDir } = deps;
  const timeZone = site.site.timezone;
  const faults = new Map<string, StatementFaults>();
  const replies: FiledReply[] = [];
  const closed = new Set<string>();
  const bankOf = (code: string): BankConfig => {
    const bank = site.banks.find((b) => b.code === code);
    if (!bank) throw new RangeError(`unknown bank ${code}`);
    return bank;
  };
  const faultsOf = (bank: string, date: string) => faults.get(`${bank}/${date}`);

  const headerFor = (bank: BankConfig, kind: StatementKind, date: string, lines: StatementLine[]) => ({
    kind,
    divisionCode: site.statements?.divisionCode ?? '330102',
    fiscalYear: Number(date.slice(0, 4)),
    statementNo: `DZ${date.replaceAll('-', '')}${bank.code}${kind === 'payment-detail' ? 'D' : kind === 'payment' ? 'P' : 'Q'}`,
    clearingAccount: `9558${String([...bank.code].reduce((h, c) => h * 31 + c.charCodeAt(0), 7) % 1e12).padStart(12, '0')}`,
    beginDate: date,
    endDate: date,
    allNum: lines.length,
    allAmtFen: lines.reduce((s, l) => s + (l.amounts[0] ?? 0), 0),
  });

  /**
   * Writes into a staging folder of its own and renames into `in/`, so finance never reads half a
   * file, and two writes at once (the day's close while a generated day is written) never meet.
   */
  async function publish(
    bank: BankConfig,
    kind: StatementKind,
    date: string,
    write: (dir: string) => Promise<string[]>,
    replaceAll: boolean,
  ) {
    const folders = exchangeFolders(exchangeDir, bank.code);
    const staging = join(exchangeDir, bank.code, `.staging-${randomUUID().slice(0, 8)}`);
    await mkdir(staging, { recursive: true });
    await mkdir(folders.in, { recursive: true });
    try {
      const names = (await write(staging)).map((path) => path.slice(staging.length + 1));
      // The old files go only once the new ones are written, and a file of the same name is replaced
      // by the rename itself: finance never finds the day's statement missing while it is rewritten.
      if (replaceAll) {
        for (const name of await readdir(folders.in)) {
          const f = parseStatementFileName(name);
          if (f?.kind === kind && f.date === date && !names.includes(name))
            await rm(join(folders.in, name), { force: true });
        }
      }
      for (const name of names) await rename(join(staging, name), join(folders.in, name));
      return names.map((name) => join(folders.in, name));
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /**
   * Writes the day's statements (every kind the bank sends, or `kinds`). A re-request (`resend`)
   * brings what a transfer lost — a truncated file whole, missing packages unless held — but the
   * bank's own mistakes (differences, totals, encoding) come again until the fault is cleared.
   */
  async function write(
    code: string,
    date: string,
    options: { kinds?: StatementKind[]; packages?: number[]; resend?: boolean } = {},
  ): Promise<string[]> {
    const bank = bankOf(code);
    const format = bankStatementFormat(bank);
    const f = faultsOf(code, date);
    const files: FileFaults = {
      wrongTotals: f?.files.wrongTotals,
      brokenEncoding: f?.files.brokenEncoding,
      ...(!options.resend && { truncate: f?.files.truncate }),
      ...((!options.resend || f?.held) && { missingPackages: f?.files.missingPackages }),
    };
    const written: string[] = [];
    for (const kind of options.kinds ?? format.kinds) {
      const lines = await bankStatementLines(deps, code, kind, date, f?.lines);
      const header = headerFor(bank, kind, date, lines);
      written.push(
        ...(await publish(
          bank,
          kind,
          date,
          (dir) =>
            writeStatement({
              dir,
              bank: code,
              header,
              lines,
              format,
              faults: files,
              ...(options.packages && { onlyPackages: options.packages }),
            }),
          !options.packages,
        )),
      );
    }
    deps.log?.info({ bank: code, date, files: written.length }, 'bank statements written');
    return written;
  }

  /** A generated statement of `lines` lines (see bank-day.ts), written in the bank's format. */
  async function writeGenerated(
    code: string,
    kind: StatementKind,
    date: string,
    header: Omit<
      StatementHeader,
      | 'kind'
      | 'beginDate'
      | 'endDate'
      | 'childPackNum'
      | 'curPackNo'
      | 'divisionCode'
      | 'fiscalYear'
      | 'statementNo'
      | 'clearingAccount'
    >,
    lines: Iterable<StatementLine>,
  ): Promise<string[]> {
    const bank = bankOf(code);
    const base = headerFor(bank, kind, date, []);
    return publish(
      bank,
      kind,
      date,
      (dir) =>
        writeStatement({
          dir,
          bank: code,
          header: { ...base, ...header },
          lines,
          format: bankStatementFormat(bank),
          faults: faultsOf(code, date)?.files,
        }),
      true,
    );
  }

  /** Reads finance's requests and replies from each bank's `out/` folder. */
  async function serveRequests(): Promise<void> {
    for (const bank of site.banks) {
      const out = exchangeFolders(exchangeDir, bank.code).out;
      const names = await readdir(out).catch(() => [] as string[]);
      for (const name of names.filter((n) => !n.startsWith('.') && /\.(json|xml)$/.test(n))) {
        const path = join(out, name);
        const bytes = await readFile(path);
        if (name.startsWith('REQ_')) {
          const req = JSON.parse(bytes.toString('utf8')) as StatementRequest;
          await write(bank.code, req.date, { kinds: [req.kind], packages: req.packages, resend: true });
        } else {
          const m = /_([a-z-]+)_(\d{4})(\d{2})(\d{2})_reply\.xml$/.exec(name);
          replies.push({
            ...parseStatementReply(bytes),
            bank: bank.code,
            kind: m?.[1] as StatementKind,
            date: m ? `${m[2]}-${m[3]}-${m[4]}` : '',
            receivedAt: deps.now().toISOString(),
          });
        }
        await mkdir(join(out, 'done'), { recursive: true });
        await rename(path, join(out, 'done', name));
      }
    }
  }

  /** After each bank's close on a working day: that day's statements, once. */
  async function closeDays(): Promise<void> {
    const now = deps.now();
    const today = localDate(now, timeZone);
    if (!isWorkday(today)) return;
    for (const bank of site.banks) {
      const key = `${bank.code}/${today}`;
      if (closed.has(key) || localTime(now, timeZone) < bank.window.close) continue;
      closed.add(key);
      await write(bank.code, today);
    }
  }

  let busy = false;
  return {
    write,
    writeGenerated,
    /** One round: answer requests, file replies, close the day where due. */
    async step(): Promise<void> {
      if (busy) return;
      busy = true;
      try {
        await serveRequests();
        await closeDays();
      } catch (err) {
        deps.log?.error({ err }, 'statement desk step failed');
      } finally {
        busy = false;
      }
    },
    setFaults(code: string, date: string, update: (f: StatementFaults) => void): void {
      bankOf(code);
      const f = faults.get(`${code}/${date}`) ?? { lines: {}, files: {} };
      update(f);
      faults.set(`${code}/${date}`, f);
    },
    faults: (code: string, date: string) => faultsOf(code, date),
    replies: (code: string) => replies.filter((r) => r.bank === code),
  };
}
