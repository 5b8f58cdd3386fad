/**
 * The estate's faults, beside the bank links' (sandbox/faults.ts): each simulation declares its own
 * (fault-kinds.ts) — the application servers', the exchange client's and the province platform's,
 * the procurement cloud's, payroll's and the official card's. Input is validated like the bank
 * faults' (an unknown fault, a subsystem it cannot act on or another fault's option is refused
 * naming the field); `subsystem` may be left out when one subsystem fits. Clearing heals what the
 * fault broke.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { SandboxClock } from '../clock.ts';
import { FaultInputError, parseFaultInput } from '../faults.ts';
import type { FaultKind } from './fault-kinds.ts';

export interface ActiveEstateFault {
  fault: string;
  subsystem: string;
  since: string;
  details: Record<string, unknown>;
}

export interface EstateFaultInput {
  fault: string;
  subsystem?: string;
  [option: string]: unknown;
}

/** Named combinations of estate faults. */
export const estateScenarios: Record<string, EstateFaultInput[]> = {
  'estate-trouble': [
    { fault: 'subsystem-down', subsystem: 'user-accounts' },
    { fault: 'subsystem-db-unreachable', subsystem: 'accounting' },
    { fault: 'subsystem-version-mismatch', subsystem: 'fund-application' },
    { fault: 'subsystem-unhealthy', subsystem: 'bank-accounts', reason: '账户同步任务积压' },
  ],
  /** 月末: the month's payroll, the card repayments, procurement pushes and the exchange at once. */
  'month-end': [
    { fault: 'exchange-downlink-base-data', count: 3 },
    { fault: 'exchange-certificate-expiring', days: 12 },
    { fault: 'procurement-push-failing' },
    { fault: 'payroll-line-failures', badAccounts: 2, missingBankCodes: 1 },
    { fault: 'official-card-stuck', count: 2 },
  ],
};

export type EstateFaults = ReturnType<typeof createEstateFaults>;

export function createEstateFaults(deps: {
  kinds: Record<string, FaultKind>;
  clock: SandboxClock;
  log?: Logger;
}) {
  const { kinds } = deps;
  const names = Object.keys(kinds) as [string, ...string[]];
  const headSchema = z.object({ fault: z.enum(names), subsystem: z.string().min(1).optional() }).loose();
  const clearSchema = z
    .object({ fault: z.enum(names).optional(), subsystem: z.string().min(1).optional() })
    .strict();
  const active = new Map<string, ActiveEstateFault>();
  const key = (fault: string, subsystem: string) => `${fault}/${subsystem}`;

  const target = (fault: string, subsystem: string | undefined): string => {
    const targets = (kinds[fault] as FaultKind).targets();
    if (subsystem === undefined) {
      if (targets.length === 1) return targets[0] as string;
      throw new FaultInputError(
        'subsystem',
        `required: ${fault} acts on ${targets.join(', ') || 'nothing here'}`,
      );
    }
    if (!targets.includes(subsystem))
      throw new FaultInputError(
        'subsystem',
        `${fault} cannot act on ${subsystem}; it acts on ${targets.join(', ') || 'no subsystem this sandbox runs'}`,
      );
    return subsystem;
  };

  async function inject(input: unknown): Promise<ActiveEstateFault> {
    const head = parseFaultInput(headSchema, input);
    const kind = kinds[head.fault] as FaultKind;
    const { fault: _fault, subsystem: _subsystem, ...rest } = head;
    const options = parseFaultInput(kind.options, rest);
    const subsystem = target(head.fault, head.subsystem);
    const details = await kind.inject(subsystem, options);
    const record = { fault: head.fault, subsystem, since: deps.clock.now().toISOString(), details };
    active.set(key(head.fault, subsystem), record);
    deps.log?.info({ fault: head.fault, subsystem }, 'estate fault injected');
    return record;
  }

  async function clearOne(fault: string, subsystem: string): Promise<void> {
    await (kinds[fault] as FaultKind).heal(subsystem, active.get(key(fault, subsystem))?.details ?? {});
    active.delete(key(fault, subsystem));
    deps.log?.info({ fault, subsystem }, 'estate fault cleared');
  }

  return {
    inject,
    /** Clears one fault, a subsystem's faults, or all of them. */
    async clear(input?: unknown): Promise<ActiveEstateFault[]> {
      const req = parseFaultInput(clearSchema, input);
      const chosen = [...active.values()].filter(
        (f) => (!req.fault || f.fault === req.fault) && (!req.subsystem || f.subsystem === req.subsystem),
      );
      if (req.fault && chosen.length === 0) await clearOne(req.fault, target(req.fault, req.subsystem));
      for (const f of chosen) await clearOne(f.fault, f.subsystem);
      return chosen;
    },
    /** Clears every fault, then injects the scenario's for the subsystems this sandbox runs. */
    async scenario(name: string): Promise<ActiveEstateFault[]> {
      for (const f of [...active.values()]) await clearOne(f.fault, f.subsystem);
      const injected: ActiveEstateFault[] = [];
      for (const input of estateScenarios[name] ?? []) {
        const targets = kinds[input.fault]?.targets() ?? [];
        if (input.subsystem ? targets.includes(input.subsystem) : targets.length === 1)
          injected.push(await inject(input));
      }
      return injected;
    },
    active: (): ActiveEstateFault[] => [...active.values()],
  };
}
