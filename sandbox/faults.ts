/**
 * The fault catalog: each fault an operator meets in a county bureau's estate, with how to inject
 * it and how to clear it again. Input is validated (an unknown fault or bank is refused naming the
 * field). Clearing does what an operator would do: start the channel, reset its sequence number,
 * back out the in-doubt batch, restart the program, have the bank resend its report.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import { messageKinds, type TreasuryDatabase } from '../connectors/treasury/schema.ts';
import type { BankConfig, SiteConfig } from '../temporal.config.ts';
import type { Banks } from './bank/banks.ts';
import { createBankCheckFaults } from './bank-check-faults.ts';
import { createDataFixFaults, dataFixFaultNames } from './data-fix-faults.ts';
import { localDate, previousWorkday } from './calendar.ts';
import { reportKinds } from './messages.ts';
import { unsentVoucher } from './seed/voucher-row.ts';
import { addTimedOutVouchers } from './failed-vouchers.ts';
import {
  isStatementFault,
  statementFaultNames,
  type createStatementFaults,
} from './statements/statement-faults.ts';
import { createYearEndFaults, yearEndFaultNames } from './year-end-faults.ts';
import type { SandboxClock } from './clock.ts';
import { channelVerbs, type ChannelVerb, type MqEstate } from './mq/estate.ts';
import { resetChannel, resolveChannel, startChannel, stopChannel } from './mq/channel-commands.ts';
import type { ProgramSupervisor } from './programs/supervisor.ts';

export const faultNames = [
  'channel-network-down',
  'channel-stopped',
  'sequence-mismatch',
  'channel-in-doubt',
  'send-program-dead',
  'daily-report-missing',
  'dead-letters',
  'base-data-out-of-sync',
  'malformed-voucher',
  'receipt-unregistered',
  'void-unconfirmed',
  'refund-unmatched',
  'voucher-timed-out',
  'answer-lost',
  'serial-mismatch',
  'channel-command-refused',
  ...statementFaultNames,
  ...yearEndFaultNames,
  ...dataFixFaultNames,
] as const;
export type FaultName = (typeof faultNames)[number];

export const faultInputSchema = z
  .object({
    fault: z.enum(faultNames),
    bank: z.string().min(1),
    /** dead-letters: messages to add; malformed-voucher, voucher-timed-out, voucher-unpaid-at-close: vouchers to create; answer-lost: answers to drop; statement-*: lines that differ. */
    count: z.number().int().min(1).max(1000).optional(),
    /** answer-lost: the kind of bank answer to drop (default the next answer of any kind). */
    answer: z.enum(messageKinds).optional(),
    /** How far ahead: the receiver's number (sequence-mismatch), the bank's serial (serial-mismatch). */
    delta: z.number().int().min(1).max(999_999).optional(),
    /** channel-command-refused: the command on finance's sender the MQ administrator lost authority for (default START). */
    command: z.enum(channelVerbs).optional(),
    /** channel-in-doubt: the bank committed the in-doubt batch (only its confirmation was lost). */
    received: z.boolean().optional(),
    /** daily-report-missing: the report's business date; voucher-timed-out: the day they went out; statement-*: the statement's business day (default the previous working day). */
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
    /** daily-report-missing: which reports (default the daily report only). */
    reports: z.array(z.enum(reportKinds)).min(1).optional(),
    /**
     * daily-report-missing: the bank holds the reports back (default), so asking for a resend
     * gets nothing; false means they were lost on the way, and the bank resends when asked.
     */
    held: z.boolean().optional(),
  })
  .strict();
export type FaultInput = z.input<typeof faultInputSchema>;

export const faultClearSchema = z
  .object({
    fault: z.enum(faultNames).optional(),
    bank: z.string().min(1).optional(),
    /** End the fault without healing its after-effects (see clearOne). */
    lift: z.boolean().optional(),
  })
  .strict()
  .refine((r) => !r.lift || (r.fault && r.bank), {
    message: 'lift needs both fault and bank',
    path: ['lift'],
  });

/** Input the sandbox refuses; `field` names what is wrong (HTTP 400). */
export class FaultInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'FaultInputError';
  }
}

export interface ActiveFault {
  fault: FaultName;
  bank: string;
  since: string;
  details: Record<string, unknown>;
}

export interface FaultDeps {
  site: SiteConfig;
  estate: MqEstate;
  banks: Banks;
  treasury: Kysely<TreasuryDatabase>;
  programs: ProgramSupervisor;
  clock: SandboxClock;
  statements: ReturnType<typeof createStatementFaults>;
  log?: Logger;
}

export type FaultController = ReturnType<typeof createFaults>;

export function parseFaultInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.length
      ? issue.path.join('.')
      : issue?.code === 'unrecognized_keys'
        ? String(issue.keys[0])
        : '(body)';
    throw new FaultInputError(field, issue?.message ?? 'invalid');
  }
  return parsed.data;
}

export function createFaults(deps: FaultDeps) {
  const { site, estate, banks, treasury, programs, clock } = deps;
  const fin = estate.financeQmgr;
  const active = new Map<string, ActiveFault>();
  const key = (fault: FaultName, bank: string) => `${fault}/${bank}`;
  const timeZone = site.site.timezone;
  const bankChecks = createBankCheckFaults({ banks, treasury, clock, timeZone });
  const yearEnd = createYearEndFaults({ banks, clock, timeZone, freshVoucher: bankChecks.freshVoucher });
  const dataFixes = createDataFixFaults({ treasury, clock, timeZone, paidVouchers: bankChecks.paidVouchers });

  const bankOf = (code: string): BankConfig => {
    const bank = site.banks.find((b) => b.code === code);
    if (!bank)
      throw new FaultInputError(
        'bank',
        `unknown bank ${code}; the site has ${site.banks
          .map((b) => b.code)
          .slice(0, 10)
          .join(', ')}`,
      );
    return bank;
  };
  const today = () => localDate(clock.now(), timeZone);

  const startSender = (bank: BankConfig) => startChannel(estate.channels, fin, bank.senderChannel);
  const senderEnd = (bank: BankConfig) => estate.channels.findEnd(fin, bank.senderChannel)?.end;

  async function inject(input: FaultInput | Record<string, unknown>): Promise<ActiveFault> {
    const req = parseFaultInput(faultInputSchema, input);
    const bank = bankOf(req.bank);
    const details: Record<string, unknown> = {};
    switch (req.fault) {
      case 'channel-network-down':
        await estate.setNetworkDown(bank.code, true);
        estate.tick();
        break;
      case 'channel-stopped':
        estate.stopChannel(fin, bank.senderChannel);
        break;
      case 'channel-command-refused':
        details.command = req.command ?? 'START';
        estate.setCommandRefused(fin, bank.senderChannel, req.command ?? 'START', true);
        break;
      case 'sequence-mismatch':
        estate.injectSequenceMismatch(bank.code, req.delta ?? 5);
        break;
      case 'channel-in-doubt':
        details.messages = estate.injectInDoubt(bank.code, { received: req.received ?? false }).messages;
        details.received = req.received ?? false;
        break;
      case 'send-program-dead': {
        if (!programs.has(bank.code))
          throw new FaultInputError('bank', `bank ${bank.code} has no send/receive program`);
        details.pid = await programs.kill(bank.code, 'SIGKILL');
        break;
      }
      case 'daily-report-missing': {
        const date = req.date ?? previousWorkday(today());
        const kinds = req.reports ?? ['daily_report'];
        Object.assign(details, { date, reports: kinds, held: req.held ?? true });
        for (const kind of kinds) {
          if (req.held ?? true) {
            banks.books.holdReport(bank.code, kind, date);
            banks.books.unmarkReportSent(bank.code, kind, date);
          }
        }
        await treasury.transaction().execute(async (trx) => {
          await trx
            .deleteFrom('bank_reports')
            .where('bank_code', '=', bank.code)
            .where('kind', 'in', kinds)
            .where('business_date', '=', date)
            .execute();
          await trx
            .deleteFrom('message_log')
            .where('bank_code', '=', bank.code)
            .where('direction', '=', 'in')
            .where('kind', 'in', kinds)
            .where('business_date', '=', date)
            .execute();
        });
        break;
      }
      case 'dead-letters':
        details.count = req.count ?? 3;
        estate.addDeadLetters(bank.qmgr, req.count ?? 3);
        break;
      case 'base-data-out-of-sync':
        Object.assign(details, await injectBaseDataLag(bank));
        break;
      case 'malformed-voucher':
        Object.assign(details, await injectMalformed(bank, req.count ?? 1));
        break;
      case 'receipt-unregistered':
        Object.assign(details, await bankChecks.receiptUnregistered(bank));
        break;
      case 'void-unconfirmed':
        Object.assign(details, await bankChecks.voidUnconfirmed(bank));
        break;
      case 'refund-unmatched':
        Object.assign(details, await bankChecks.refundUnmatched(bank));
        break;
      case 'voucher-timed-out':
        details.vouchers = await addTimedOutVouchers(treasury, banks.books, bank, {
          count: req.count ?? 3,
          date: req.date,
          now: clock.now(),
          timeZone,
        });
        break;
      case 'answer-lost':
        banks.loseAnswers(bank.code, { msgType: req.answer, count: req.count ?? 1 });
        Object.assign(details, { answer: req.answer ?? 'any', count: req.count ?? 1 });
        break;
      case 'statement-only-at-finance':
      case 'statement-only-at-bank':
      case 'statement-amount-differs':
      case 'statement-status-differs':
      case 'statement-duplicate-line':
      case 'statement-package-missing':
      case 'statement-truncated':
      case 'statement-totals-wrong':
      case 'statement-encoding-broken':
        Object.assign(
          details,
          await deps.statements.inject(bank, req.fault, {
            date: req.date ?? previousWorkday(today()),
            count: req.count,
            held: req.held,
          }),
        );
        break;
      case 'serial-mismatch': {
        // The bank has accepted serials finance no longer knows of (a restored treasury backup):
        // the next voucher finance sends carries a number the bank refuses (E_SERIAL).
        const financeLast = await financeSerialOut(bank);
        banks.books.setLastSerialIn(bank.code, financeLast + (req.delta ?? 3));
        Object.assign(details, { financeLast, bankLast: financeLast + (req.delta ?? 3) });
        break;
      }
      case 'payee-bank-wrong':
      case 'receipt-registered-twice':
        Object.assign(details, await dataFixes.inject(req.fault, bank));
        break;
      default:
        Object.assign(details, await yearEnd.inject(req.fault, bank, req.count ?? 1));
    }
    const record: ActiveFault = {
      fault: req.fault,
      bank: bank.code,
      since: clock.now().toISOString(),
      details,
    };
    active.set(key(req.fault, bank.code), record);
    deps.log?.info({ fault: req.fault, bank: bank.code, details }, 'fault injected');
    return record;
  }

  /**
   * Clears a fault and heals what it broke. With `lift`, a network fault only ends: the line is
   * back, but a channel that spent its short retries waits for its next long retry (LONGTMR),
   * as a real one does — the state an engineer's channel recovery starts from.
   */
  async function clearOne(fault: FaultName, code: string, options: { lift?: boolean } = {}): Promise<void> {
    const bank = bankOf(code);
    const record = active.get(key(fault, code));
    switch (fault) {
      case 'channel-network-down': {
        await estate.setNetworkDown(bank.code, false);
        const status = senderEnd(bank)?.rt.status;
        if (!options.lift && (status === 'STOPPED' || status === 'RETRYING')) startSender(bank);
        break;
      }
      case 'channel-stopped':
        startSender(bank);
        break;
      case 'channel-command-refused':
        estate.setCommandRefused(
          fin,
          bank.senderChannel,
          (record?.details.command as ChannelVerb) ?? 'START',
          false,
        );
        break;
      case 'sequence-mismatch': {
        const end = senderEnd(bank);
        if (end && !['STOPPED', 'INACTIVE'].includes(end.rt.status))
          stopChannel(estate.channels, fin, bank.senderChannel, { immediate: true });
        resetChannel(estate.channels, fin, bank.senderChannel, end?.rt.lastSeq ?? 1);
        startSender(bank);
        break;
      }
      case 'channel-in-doubt':
        // A batch the bank committed is settled by COMMIT; backing it out would deliver it twice.
        resolveChannel(
          estate.channels,
          fin,
          bank.senderChannel,
          record?.details.received ? 'COMMIT' : 'BACKOUT',
        );
        startSender(bank);
        break;
      case 'send-program-dead':
        if (programs.has(bank.code) && !programs.info(bank.code)?.running) await programs.start(bank.code);
        break;
      case 'daily-report-missing': {
        for (const h of banks.books.holds(bank.code)) {
          banks.books.releaseReport(bank.code, h.kind, h.report_date);
          banks.bank(bank.code).sendReport(h.kind, h.report_date);
        }
        break;
      }
      case 'dead-letters': {
        const qm = estate.queueManager(bank.qmgr);
        const dlq = qm?.queues.get(qm.deadq);
        if (dlq) dlq.messages = dlq.messages.filter((m) => !m.injected);
        break;
      }
      case 'base-data-out-of-sync':
        await healBaseData(bank);
        break;
      case 'malformed-voucher':
        await healMalformed((record?.details.payees as string[] | undefined) ?? []);
        break;
      case 'receipt-unregistered':
      case 'void-unconfirmed':
      case 'refund-unmatched':
        // What these faults left is the incident itself; the bank-check runbooks settle it.
        break;
      case 'voucher-timed-out':
        // The vouchers stay timed out: resending them is the failed-voucher runbook's work.
        break;
      case 'payee-bank-wrong':
      case 'receipt-registered-twice':
        // The rows stay as the incident left them: a data fix repairs them.
        break;
      case 'answer-lost':
        banks.stopLosingAnswers(bank.code);
        break;
      case 'serial-mismatch':
        banks.books.setLastSerialIn(bank.code, await financeSerialOut(bank));
        break;
      default:
        if (isStatementFault(fault))
          await deps.statements.clear(bank, fault, String(record?.details.date ?? previousWorkday(today())));
        else yearEnd.clear(fault, bank, record?.details);
    }
    active.delete(key(fault, code));
    deps.log?.info({ fault, bank: code }, 'fault cleared');
  }

  async function financeSerialOut(bank: BankConfig): Promise<number> {
    const row = await treasury
      .selectFrom('message_serials')
      .select('last_serial')
      .where('bank_code', '=', bank.code)
      .where('direction', '=', 'out')
      .executeTakeFirst();
    return row?.last_serial ?? 0;
  }

  async function injectBaseDataLag(bank: BankConfig) {
    const kind = 'payee_account' as const;
    const row = await treasury
      .selectFrom('base_data_versions')
      .select('version_current')
      .where('bank_code', '=', bank.code)
      .where('kind', '=', kind)
      .executeTakeFirstOrThrow();
    const lagging = row.version_current - 1;
    banks.books.setVersion(bank.code, kind, lagging);
    await treasury
      .updateTable('base_data_versions')
      .set({ version_acked: lagging, version_sent: lagging, updated_at: clock.now().toISOString() })
      .where('bank_code', '=', bank.code)
      .where('kind', '=', kind)
      .execute();
    // Two fresh vouchers to payees at the current version, which this bank will refuse.
    const payees = await treasury
      .selectFrom('payee_accounts')
      .select('id')
      .where('version', '=', row.version_current)
      .limit(2)
      .execute();
    const vouchers = await addVouchers(
      bank,
      payees.map((p) => p.id),
    );
    return { kind, bankVersion: lagging, currentVersion: row.version_current, vouchers };
  }

  async function healBaseData(bank: BankConfig) {
    const rows = await treasury
      .selectFrom('base_data_versions')
      .selectAll()
      .where('bank_code', '=', bank.code)
      .execute();
    for (const r of rows) {
      banks.books.setVersion(bank.code, r.kind, r.version_current);
      await treasury
        .updateTable('base_data_versions')
        .set({
          version_acked: r.version_current,
          version_sent: r.version_current,
          updated_at: clock.now().toISOString(),
        })
        .where('bank_code', '=', bank.code)
        .where('kind', '=', r.kind)
        .execute();
    }
  }

  async function injectMalformed(bank: BankConfig, count: number) {
    const stamp = Date.now().toString(36).toUpperCase();
    const payees = Array.from({ length: count }, (_, i) => ({
      id: `PAX${stamp}${i}`.slice(0, 32),
      account_no: `6222-0201 ${String(1000 + i)}-88`,
      account_name: '县宏达建筑工程有限公司',
      bank_name: '中国工商银行县支行',
      version: 1,
    }));
    await treasury.insertInto('payee_accounts').values(payees).execute();
    const vouchers = await addVouchers(
      bank,
      payees.map((p) => p.id),
    );
    const record = active.get(key('malformed-voucher', bank.code));
    return {
      vouchers,
      payees: [...((record?.details.payees as string[]) ?? []), ...payees.map((p) => p.id)],
    };
  }

  async function healMalformed(payeeIds: string[]) {
    for (const id of payeeIds) {
      const row = await treasury
        .selectFrom('payee_accounts')
        .select('account_no')
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) continue;
      const digits = row.account_no.replace(/\D/g, '').padEnd(19, '0').slice(0, 19);
      await treasury.updateTable('payee_accounts').set({ account_no: digits }).where('id', '=', id).execute();
    }
  }

  let added = 0;
  async function addVouchers(bank: BankConfig, payeeIds: string[]): Promise<string[]> {
    const now = clock.now();
    const date = localDate(now, timeZone);
    const unit = await treasury
      .selectFrom('budget_units')
      .select('code')
      .orderBy('code')
      .executeTakeFirstOrThrow();
    const subject = await treasury
      .selectFrom('budget_subjects')
      .select('code')
      .orderBy('code')
      .executeTakeFirstOrThrow();
    // Two injections within one millisecond must not reuse a number: a counter follows the stamp.
    const stamp = `${now.getTime().toString(36).toUpperCase().slice(-5)}${(added++ % 36).toString(36).toUpperCase()}`;
    const rows = payeeIds.map((payee, i) =>
      unsentVoucher({
        voucher_no: `ZZ${date.replaceAll('-', '')}${bank.code}X${stamp}${i}`,
        fiscal_year: Number(date.slice(0, 4)),
        bank_code: bank.code,
        pay_type: 'direct' as const,
        amount_fen: 1_288_000 + i * 100,
        payee_account_id: payee,
        budget_unit_code: unit.code,
        subject_code: subject.code,
        status: 'pending_send' as const,
        business_date: date,
        submitted_at: now.toISOString(),
        updated_at: now.toISOString(),
      }),
    );
    if (rows.length > 0) await treasury.insertInto('vouchers').values(rows).execute();
    return rows.map((r) => r.voucher_no);
  }

  return {
    inject,
    /** Clears one fault (`fault` + `bank`), every fault of a bank, or everything. */
    async clear(input?: unknown): Promise<ActiveFault[]> {
      const req = parseFaultInput(faultClearSchema, input);
      if (req.bank) bankOf(req.bank);
      if (req.fault && req.bank) {
        const record = active.get(key(req.fault, req.bank)) ?? {
          fault: req.fault,
          bank: req.bank,
          since: clock.now().toISOString(),
          details: {},
        };
        await clearOne(req.fault, req.bank, { lift: req.lift });
        return [record];
      }
      const chosen = [...active.values()].filter(
        (f) => (!req.fault || f.fault === req.fault) && (!req.bank || f.bank === req.bank),
      );
      for (const f of chosen) await clearOne(f.fault, f.bank);
      if (!req.fault && !req.bank) {
        // Anything not injected through here (or lost in a restart): heal the MQ model and the banks.
        await estate.clearFaults();
        for (const b of site.banks) {
          for (const h of banks.books.holds(b.code)) {
            banks.books.releaseReport(b.code, h.kind, h.report_date);
            banks.bank(b.code).sendReport(h.kind, h.report_date);
          }
          if (programs.has(b.code) && !programs.info(b.code)?.running) await programs.start(b.code);
        }
      }
      return chosen;
    },
    active: (): ActiveFault[] => [...active.values()],
  };
}
