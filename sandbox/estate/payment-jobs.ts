/**
 * The payment system's own background jobs in the sandbox, for the subsystems the site declares:
 * the procurement confirmation push (and the procurement cloud it pushes to, its own database
 * zcy.db), unified payroll and official-card repayments. They run on one timer, one round at a
 * time, against the treasury database; the vouchers they raise go to the banks through the
 * send/receive programs like any other. Work arrives through the sandbox API (a payroll batch,
 * a day's card repayments, payments against a contract) or with the faults.
 */
import { rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { TreasuryDb } from '../../connectors/treasury/database.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import type { Banks } from '../bank/banks.ts';
import type { SandboxClock } from '../clock.ts';
import { FaultInputError, parseFaultInput } from '../faults.ts';
import type { EstateAnswer } from './estate.ts';
import { createOfficialCard } from './official-card.ts';
import { createPayroll } from './payroll.ts';
import { createCloudHandler, openProcurementCloud } from './procurement-cloud.ts';
import { createProcurement } from './procurement.ts';

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM');
const workSchemas = {
  payroll: z
    .object({ lines: z.number().int().min(1).max(2000).optional(), month: month.optional() })
    .strict(),
  card: z
    .object({
      bank: z.string().min(1).optional(),
      count: z.number().int().min(1).max(2000).optional(),
      date: z.iso.date().optional(),
    })
    .strict(),
  procurement: z
    .object({
      contractNo: z.string().min(1).max(40).optional(),
      count: z.number().int().min(1).max(100).optional(),
      bank: z.string().min(1).optional(),
    })
    .strict(),
};

export async function startPaymentJobs(options: {
  site: SiteConfig;
  dataDir: string;
  clock: SandboxClock;
  url: string;
  treasury: TreasuryDb;
  banks: Banks;
  today: () => string;
  reseed?: boolean;
  jobIntervalMs?: number;
  log?: Logger;
}) {
  const { site, treasury, clock, log, today } = options;
  const kind = (k: string) => site.subsystems.find((s) => s.kind === k);
  const now = clock.now;

  const zcy = kind('procurement-push');
  const cloudFile = join(options.dataDir, 'estate', 'zcy', 'zcy.db');
  if (options.reseed) rmSync(cloudFile, { force: true });
  const cloud = zcy?.procurement ? openProcurementCloud(cloudFile, now) : undefined;
  const cloudPath = zcy?.procurement ? new URL(zcy.procurement.cloudUrl).pathname.replace(/\/$/, '') : '';
  const procurement =
    zcy?.procurement && cloud
      ? createProcurement({
          treasury,
          cloud,
          cloudUrl: `${options.url}${cloudPath}`,
          maxAttempts: zcy.procurement.maxAttempts,
          banks: site.banks.map((b) => b.code),
          now,
          today,
          log,
        })
      : undefined;
  await procurement?.seedContracts();
  const cloudHandler = cloud && createCloudHandler(cloudPath, cloud);

  const payrollSub = kind('payroll');
  const payroll = payrollSub?.payroll
    ? createPayroll({ treasury, bank: payrollSub.payroll.bank, now, today, log })
    : undefined;
  const cardSub = kind('official-card');
  const card = cardSub?.officialCard
    ? createOfficialCard({
        treasury,
        banks: options.banks,
        cardBanks: cardSub.officialCard.banks,
        now,
        today,
        log,
      })
    : undefined;

  let round: Promise<void> = Promise.resolve();
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    round = (async () => {
      for (const job of [procurement, payroll, card]) {
        try {
          await job?.step();
        } catch (err) {
          log?.error({ err }, 'payment-system job failed');
        }
      }
    })().finally(() => (running = false));
  }, options.jobIntervalMs ?? 1000);

  const missing = (what: string) => new FaultInputError('subsystem', `this site has no ${what} subsystem`);
  async function route(route: string, body: unknown): Promise<EstateAnswer | undefined> {
    if (route === 'POST /sandbox/estate/payroll/batches') {
      if (!payroll) throw missing('payroll');
      return { status: 201, body: await payroll.submit(parseFaultInput(workSchemas.payroll, body)) };
    }
    if (route === 'POST /sandbox/estate/official-card/repayments') {
      if (!card) throw missing('official-card');
      return { status: 201, body: await card.submit(parseFaultInput(workSchemas.card, body)) };
    }
    if (route === 'POST /sandbox/estate/procurement/payments') {
      if (!procurement) throw missing('procurement-push');
      return {
        status: 201,
        body: { payments: await procurement.pay(parseFaultInput(workSchemas.procurement, body)) },
      };
    }
    return undefined;
  }

  const countBy = async (table: 'payroll_lines' | 'official_card_repayments' | 'procurement_confirmations') =>
    Object.fromEntries(
      (
        await treasury
          .selectFrom(table)
          .select(({ fn }) => ['status', fn.countAll<number>().as('n')])
          .groupBy('status')
          .execute()
      ).map((r) => [r.status, Number(r.n)]),
    );

  return {
    simulated: {
      ...(procurement && zcy && cloud && { procurement: { id: zcy.id, sim: procurement, cloud } }),
      ...(payroll && payrollSub && { payroll: { id: payrollSub.id, sim: payroll } }),
      ...(card && cardSub && { card: { id: cardSub.id, sim: card } }),
    },
    route,
    serve: async (req: IncomingMessage, res: ServerResponse) =>
      cloudHandler ? cloudHandler(req, res) : false,
    async state() {
      return {
        payments: {
          payrollLines: await countBy('payroll_lines'),
          officialCardRepayments: await countBy('official_card_repayments'),
          procurementConfirmations: await countBy('procurement_confirmations'),
          ...(cloud && { cloud: { down: cloud.isDown(), ...cloud.summary() } }),
        },
      };
    },
    async stop() {
      clearInterval(timer);
      await round;
      cloud?.close();
    },
  };
}
