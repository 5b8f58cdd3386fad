/**
 * The budget-integration exchange's faults: the client dead (killed, pid file left) or hung (alive,
 * its heartbeat and last cycle standing still), an uplink backlog (the platform refusing payment
 * data as busy while it piles up), downlink vouchers naming base data the county lacks (returned
 * by the client; clearing brings the base data, the failed items wait for a replay), the platform
 * refusing every call for a bad signature (the client's key no longer matches its certificate),
 * and a certificate about to expire.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { TreasuryDatabase } from '../../connectors/treasury/schema.ts';
import { exchangeVoucherTypes, type ExchangeVoucherType } from '../../domain/exchange-protocol.ts';
import type { ExchangeRunner } from './exchange-runner.ts';
import { faultKind, noOptions } from './fault-kinds.ts';
import { issueDownVouchers, unsyncedUnit } from './province-issue.ts';
import type { ProvincePlatform } from './province-platform.ts';

export function exchangeFaults(deps: {
  runner: ExchangeRunner | undefined;
  platform: ProvincePlatform;
  treasury: Kysely<TreasuryDatabase>;
  setUplinkBusy(busy: boolean): void;
  today(): string;
}) {
  const { runner } = deps;
  const targets = () => (runner ? [runner.subsystem.id] : []);
  const client = () => runner as ExchangeRunner;
  return {
    'exchange-client-dead': faultKind({
      targets,
      options: noOptions,
      inject: async () => ({ pid: await client().effects.dead(), pidFile: client().files.pid }),
      heal: () => client().heal.dead(),
    }),
    'exchange-client-hung': faultKind({
      targets,
      options: noOptions,
      inject: async () => (client().effects.hang(), { heartbeatFile: client().files.heartbeat }),
      heal: () => client().heal.hang(),
    }),
    'exchange-uplink-backlog': faultKind({
      targets,
      options: noOptions,
      inject: async () => (deps.setUplinkBusy(true), { refused: 'POST /payments (PLATFORM_BUSY)' }),
      heal: async () => deps.setUplinkBusy(false),
    }),
    'exchange-downlink-base-data': faultKind({
      targets,
      /** count: vouchers issued naming the missing budget unit; voucherType: of which type (default the first). */
      options: z
        .object({
          count: z.number().int().min(1).max(500).optional(),
          voucherType: z.enum(Object.keys(exchangeVoucherTypes) as [ExchangeVoucherType]).optional(),
        })
        .strict(),
      inject: async (_id, o) => {
        const vouchers = await issueDownVouchers(deps.treasury, deps.platform, {
          division: client().division,
          voucherType: o.voucherType ?? (client().voucherTypes[0] as ExchangeVoucherType),
          count: o.count ?? 3,
          date: deps.today(),
          unsyncedUnit: true,
        });
        return { budgetUnit: unsyncedUnit.code, vouchers: vouchers.map((v) => v.voucherNo) };
      },
      // The base data arrives; the vouchers already returned wait for a replay.
      heal: async () => {
        await deps.treasury
          .insertInto('budget_units')
          .values(unsyncedUnit)
          .onConflict((oc) => oc.doNothing())
          .execute();
      },
    }),
    'exchange-bad-signature': faultKind({
      targets,
      options: noOptions,
      inject: async () => (await client().effects.wrongKey(), { keyFile: client().files.key }),
      heal: () => client().heal.wrongKey(),
    }),
    'exchange-certificate-expiring': faultKind({
      targets,
      /** days: until the certificate expires (default 10). */
      options: z.object({ days: z.number().int().min(1).max(365).optional() }).strict(),
      inject: async (_id, o) => {
        await client().effects.expiring(o.days ?? 10);
        return { days: o.days ?? 10, certFile: client().files.cert };
      },
      heal: () => client().heal.expiring(),
    }),
  };
}
