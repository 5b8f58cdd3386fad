/**
 * The statement exchange with a bank (db zone, which mounts the front ends' exchange folder): how
 * the bank writes its statements and which days a run covers, what has arrived of a day's
 * statement, asking for it (or its missing packages) again, and the reply — XCheckResult, XDiffNum
 * and one detail per difference, streamed from the comparison's difference file in the bank's
 * encoding. A kind the bank does not send is bad input, refused naming the field.
 */
import { createReadStream } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { addDays, dateInZone, daysBetween, timeInZone } from '../../domain/calendar/dates.ts';
import { invalidInput } from '../../domain/errors.ts';
import type { StatementTotals } from '../../domain/reconciliation/batches.ts';
import type { Difference } from '../../domain/reconciliation/compare.ts';
import { replyParts } from '../../domain/reconciliation/reply.ts';
import type { StatementKind } from '../../domain/reconciliation/statement.ts';
import type { StatementArrival, StatementSetup } from '../../domain/runbooks/bank-reconciliation.types.ts';
import {
  createFolderExchange,
  exchangeFolders,
  replyFileName,
} from '../../connectors/statements/folder-exchange.ts';
import { bankStatementFormat } from '../../temporal.config.ts';
import { writes } from '../activity-kinds.ts';
import { activityCalendar } from '../calendar.ts';
import { requireBank } from '../site-lookup.ts';
import { statementsOf, type StatementDeps } from './deps.ts';

export function createExchangeActivities({ site, calendar, now = () => new Date() }: StatementDeps) {
  const exchange = () => createFolderExchange(statementsOf(site).exchangeDir);
  return {
    /**
     * The bank's statement format, and each day from `from` (default: the latest statement due —
     * today once the bank has closed on a working day, its extended hours included, else the
     * working day before) to `to` (default `from`) with whether banks work on it.
     */
    async statementSetup(input: {
      bank: string;
      kind: StatementKind;
      from?: string;
      to?: string;
    }): Promise<StatementSetup> {
      statementsOf(site);
      const bank = requireBank(site, input.bank);
      const format = bankStatementFormat(bank);
      if (!format.kinds.includes(input.kind))
        throw invalidInput([
          `input.kind: ${input.bank} does not send ${input.kind} statements (it sends ${format.kinds.join(', ')})`,
        ]);
      const days = activityCalendar(calendar);
      const zone = site.site.timezone;
      const today = dateInZone(now(), zone);
      const close = calendar.extendedHours(today, bank.code)?.close ?? bank.window.close;
      const closed = days.isWorkingDay(today) && timeInZone(now(), zone) >= close;
      const from = input.from ?? (closed ? today : days.previousWorkingDay(today));
      const count = daysBetween(from, input.to ?? from) + 1;
      return {
        format: format.format,
        encoding: format.encoding,
        kinds: format.kinds,
        days: Array.from({ length: count }, (_, i) => {
          const date = addDays(from, i);
          return { date, workingDay: days.isWorkingDay(date) };
        }),
      };
    },

    /** What has arrived of the day's statement: files, missing packages, when the newest came. */
    async lookForStatement(input: {
      bank: string;
      kind: StatementKind;
      date: string;
    }): Promise<StatementArrival> {
      requireBank(site, input.bank);
      const arrived = await exchange().arrived(input.bank, input.kind, input.date);
      const times = await Promise.all(arrived.files.map(async (f) => (await stat(f)).mtime.getTime()));
      return {
        files: arrived.files.length,
        missingPackages: arrived.missingPackages,
        ...(times.length > 0 && { arrivedAt: new Date(Math.max(...times)).toISOString() }),
        complete: arrived.files.length > 0 && arrived.missingPackages.length === 0,
      };
    },

    /** Asks the bank for the day's statement again, or only its missing `packages`; the same id asks once. */
    requestStatement: writes(
      async (input: {
        bank: string;
        kind: StatementKind;
        date: string;
        packages?: number[];
        requestId: string;
      }): Promise<string> => {
        requireBank(site, input.bank);
        return exchange().request(input.bank, input.kind, input.date, input.packages, input.requestId);
      },
    ),

    /**
     * Sends the reply to the day's statement: the statement's head with XCheckResult and XDiffNum,
     * one detail per difference read from `differenceLog`, in the bank's encoding. Written under a
     * temporary name and renamed: a retry replaces it whole.
     */
    sendStatementReply: writes(
      async (input: {
        bank: string;
        kind: StatementKind;
        date: string;
        header: StatementTotals['header'];
        diffNum: number;
        differenceLog: string;
      }): Promise<string> => {
        const format = bankStatementFormat(requireBank(site, input.bank));
        const dir = exchangeFolders(statementsOf(site).exchangeDir, input.bank).out;
        const name = replyFileName(input.bank, input.kind, input.date);
        await mkdir(dir, { recursive: true });
        const temp = join(dir, `.${name}.part`);
        const parts = replyParts(input.header, input.diffNum, format.encoding);
        const out = createWriteStream(temp);
        const write = async (bytes: Buffer) => {
          if (!out.write(bytes)) await once(out, 'drain');
        };
        await write(parts.opening);
        if (input.diffNum > 0) {
          const lines = createInterface({ input: createReadStream(input.differenceLog, 'utf8') });
          for await (const line of lines) if (line) await write(parts.detail(JSON.parse(line) as Difference));
        }
        out.end(parts.closing);
        await once(out, 'finish');
        await rename(temp, join(dir, name));
        return name;
      },
    ),
  };
}
