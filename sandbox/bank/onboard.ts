/**
 * A new agent bank coming online while the sandbox runs (`POST /sandbox/banks`): what the bank's
 * own engineers set up before finance runs its add-agent-bank runbook — the bank's queue manager
 * with its ends of the channel pair (the receiver of CZ.TO.<B>, its sender <B>.TO.CZ), its
 * front-end listener and its books (nothing received yet: serial 0, base data version 0). And,
 * standing in for the bureau's engineers on the comm server, the finance side's send/receive
 * program for the bank, unless `startProgram` is false: the runbook starts nothing on hosts.
 * Finance's MQ objects, its database rows and the bank's entry in the estate are the runbook's
 * work. A bank added here lives in memory until the runbook registers it in `addedBanksDir`;
 * from then on the site file brings it back on every start.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { siteSchema, type BankConfig, type SiteConfig } from '../../temporal.config.ts';
import { FaultInputError, parseFaultInput } from '../faults.ts';
import type { MqEstate } from '../mq/estate.ts';
import type { ProgramSupervisor } from '../programs/supervisor.ts';
import type { Banks } from './banks.ts';
import type { BankLedger } from './ledger.ts';
import { timeOfDay } from '../../domain/calendar/dates.ts';

export const newBankSchema = z
  .object({
    code: z.string().regex(/^[A-Z][A-Z0-9]{1,11}$/, 'a bank code: upper-case letters and digits, e.g. HXB'),
    name: z.string().min(1).max(60),
    frontEnd: z
      .object({ host: z.string().min(1).max(255), port: z.number().int().min(1).max(65535) })
      .strict(),
    window: z.object({ open: timeOfDay, close: timeOfDay }).strict().optional(),
    qmgr: z.string().optional(),
    senderChannel: z.string().optional(),
    receiverChannel: z.string().optional(),
    xmitq: z.string().optional(),
    /** Start the finance side's send/receive program for the bank (default true). */
    startProgram: z.boolean().default(true),
  })
  .strict();
export type NewBankInput = z.input<typeof newBankSchema>;

export interface OnboardedBank {
  bank: BankConfig;
  /** The send/receive program the sandbox started for the bank, when it did. */
  program: { pid: number; pidFile: string } | null;
}

export interface OnboardDeps {
  /** The sandbox's own view of the estate; a bank brought online joins its `banks`. */
  site: SiteConfig;
  estate: MqEstate;
  banks: Banks;
  books: BankLedger;
  programs: ProgramSupervisor;
  dataDir: string;
  log?: Logger;
}

export function createBankOnboarding(deps: OnboardDeps) {
  const { site, estate, banks, books, programs } = deps;
  const bankSchema = siteSchema.shape.banks.element;

  return {
    async add(input: unknown): Promise<OnboardedBank> {
      const req = parseFaultInput(newBankSchema, input);
      const pidFile = join(deps.dataDir, 'run', `send-receive-${req.code}.pid`);
      const parsed = bankSchema.safeParse({
        code: req.code,
        name: req.name,
        frontEnd: req.frontEnd,
        ...(req.window && { window: req.window }),
        ...(req.qmgr && { qmgr: req.qmgr }),
        ...(req.senderChannel && { senderChannel: req.senderChannel }),
        ...(req.receiverChannel && { receiverChannel: req.receiverChannel }),
        ...(req.xmitq && { xmitq: req.xmitq }),
        programs: req.startProgram ? [{ name: `收发程序-${req.code}`, pidFile }] : [],
      });
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new FaultInputError(issue?.path.join('.') || '(body)', issue?.message ?? 'invalid');
      }
      const bank = parsed.data;
      refuseClashes(bank);
      try {
        await estate.addBank({
          code: bank.code,
          qmgr: bank.qmgr,
          senderChannel: bank.senderChannel,
          receiverChannel: bank.receiverChannel,
          xmitq: bank.xmitq,
          frontEnd: bank.frontEnd,
        });
      } catch (err) {
        throw new FaultInputError('frontEnd', (err as Error).message);
      }
      if (!books.state(bank.code)) {
        books.putState({
          bank_code: bank.code,
          last_serial_in: 0,
          last_serial_out: 0,
          bd_budget_unit: 0,
          bd_payee_account: 0,
          bd_subject: 0,
        });
      }
      banks.add(bank);
      site.banks.push(bank);
      let program: OnboardedBank['program'] = null;
      if (req.startProgram) {
        programs.add(bank.code, pidFile);
        program = { pid: await programs.start(bank.code), pidFile };
      }
      deps.log?.info({ bank: bank.code, qmgr: bank.qmgr, program }, 'bank brought online');
      return { bank, program };
    },
  };

  function refuseClashes(bank: BankConfig): void {
    const clash = (field: string, message: string) => {
      throw new FaultInputError(field, message);
    };
    for (const other of site.banks) {
      if (other.code === bank.code) clash('code', `bank ${bank.code} is already in the sandbox`);
      if (other.frontEnd.host === bank.frontEnd.host && other.frontEnd.port === bank.frontEnd.port)
        clash(
          'frontEnd.port',
          `${bank.frontEnd.host}:${bank.frontEnd.port} is the front end of ${other.code}`,
        );
      for (const name of [bank.senderChannel, bank.receiverChannel]) {
        if ([other.senderChannel, other.receiverChannel].includes(name))
          clash('senderChannel', `channel ${name} belongs to ${other.code}`);
      }
    }
    if (bank.senderChannel === bank.receiverChannel)
      clash('receiverChannel', 'must differ from senderChannel');
    if (estate.queueManager(bank.qmgr)) clash('qmgr', `queue manager ${bank.qmgr} already exists`);
  }
}
