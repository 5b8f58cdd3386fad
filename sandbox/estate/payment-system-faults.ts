/**
 * Faults of the payment system's neighbours that run inside it: the procurement cloud refusing
 * pushes (unavailable), a payment that does not agree with its procurement contract, a payroll
 * batch that stalls part-way or has lines that fail (payee accounts the bank refuses, missing
 * payee bank codes), and official-card repayments stuck at the card-issuing bank. Each but the
 * cloud's leaves its incident behind when cleared — the failed lines, the mismatch, the stuck
 * vouchers are for the runbooks to settle.
 */
import { z } from 'zod';
import type { Banks } from '../bank/banks.ts';
import { faultKind, noOptions } from './fault-kinds.ts';
import type { OfficialCard } from './official-card.ts';
import type { Payroll } from './payroll.ts';
import type { ProcurementCloud } from './procurement-cloud.ts';
import type { Procurement } from './procurement.ts';

interface Simulated<T> {
  id: string;
  sim: T;
}

export function paymentSystemFaults(deps: {
  procurement?: Simulated<Procurement> & { cloud: ProcurementCloud };
  payroll?: Simulated<Payroll>;
  card?: Simulated<OfficialCard>;
  banks: Banks;
}) {
  const ids = (s: Simulated<unknown> | undefined) => () => (s ? [s.id] : []);
  const { procurement, payroll, card } = deps;
  const lines = z.number().int().min(1).max(500).optional();
  return {
    'procurement-push-failing': faultKind({
      targets: ids(procurement),
      options: noOptions,
      inject: async () => (procurement?.cloud.setDown(true), { cloud: 'unavailable (503)' }),
      heal: async () => procurement?.cloud.setDown(false),
    }),
    'procurement-contract-mismatch': faultKind({
      targets: ids(procurement),
      /** mismatch: a payment beyond the contract (default) or a confirmation amount unlike its voucher's. */
      options: z
        .object({
          mismatch: z.enum(['over-contract', 'amount-differs']).optional(),
          contractNo: z.string().min(1).max(40).optional(),
        })
        .strict(),
      inject: async (_id, o) => {
        const [made] = await (procurement as Simulated<Procurement>).sim.pay({
          mismatch: o.mismatch ?? 'over-contract',
          ...(o.contractNo && { contractNo: o.contractNo }),
        });
        return { mismatch: o.mismatch ?? 'over-contract', ...made };
      },
      heal: async () => undefined,
    }),
    'payroll-batch-stalled': faultKind({
      targets: ids(payroll),
      /** lines: in the batch (default 12); stallAfter: lines with vouchers before it stalls (default half). */
      options: z.object({ lines, stallAfter: z.number().int().min(0).max(500).optional() }).strict(),
      inject: async (_id, o) => {
        const stallAfter = o.stallAfter ?? Math.floor((o.lines ?? 12) / 2);
        const batch = await (payroll as Simulated<Payroll>).sim.submit({ lines: o.lines, stallAfter });
        return { batchNo: batch.batchNo, lines: batch.lines, stallAfter };
      },
      heal: async (_id, details) => {
        const sim = (payroll as Simulated<Payroll>).sim;
        for (const batchNo of typeof details.batchNo === 'string' ? [details.batchNo] : sim.stalled())
          sim.resume(batchNo);
      },
    }),
    'payroll-line-failures': faultKind({
      targets: ids(payroll),
      /** A new batch with `badAccounts` lines the bank refuses and `missingBankCodes` lines without 联行号. */
      options: z
        .object({
          lines,
          badAccounts: z.number().int().min(0).max(100).optional(),
          missingBankCodes: z.number().int().min(0).max(100).optional(),
        })
        .strict(),
      inject: async (_id, o) =>
        (payroll as Simulated<Payroll>).sim.submit({
          lines: o.lines,
          badAccounts: o.badAccounts ?? 2,
          missingBankCodes: o.missingBankCodes ?? 1,
        }),
      heal: async () => undefined,
    }),
    'official-card-stuck': faultKind({
      targets: ids(card),
      /** A day's repayments (`count`, default 6) at `bank`, `stuck` of them (default 2) stuck. */
      options: z
        .object({
          bank: z.string().min(1).optional(),
          count: z.number().int().min(1).max(500).optional(),
          stuck: z.number().int().min(1).max(500).optional(),
        })
        .strict(),
      inject: async (_id, o) => {
        const sim = (card as Simulated<OfficialCard>).sim;
        return sim.submit({ bank: o.bank, count: Math.max(o.count ?? 6, o.stuck ?? 2), stuck: o.stuck ?? 2 });
      },
      heal: async (_id, details) => {
        const sim = (card as Simulated<OfficialCard>).sim;
        for (const bank of typeof details.bank === 'string' ? [details.bank] : sim.cardBanks)
          deps.banks.stopLosingAnswers(bank);
      },
    }),
  };
}
