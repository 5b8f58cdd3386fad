/**
 * The estate's faults, beside the bank links' (sandbox/faults.ts): an application server down
 * (killed, its pid file left behind), unhealthy, answering with another version than the site
 * declares, or cut off from its database. Input is validated like the bank faults' (an unknown
 * fault or subsystem is refused naming the field); clearing heals what the fault broke.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { SandboxClock } from '../clock.ts';
import { FaultInputError, parseFaultInput } from '../faults.ts';
import type { AppServers } from './app-servers.ts';

export const estateFaultNames = [
  'subsystem-down',
  'subsystem-unhealthy',
  'subsystem-version-mismatch',
  'subsystem-db-unreachable',
] as const;
export type EstateFaultName = (typeof estateFaultNames)[number];

const injectSchema = z
  .object({
    fault: z.enum(estateFaultNames),
    subsystem: z.string().min(1),
    /** subsystem-version-mismatch: the version that answers (default the declared one with .9 appended). */
    version: z.string().min(1).max(40).optional(),
    /** subsystem-unhealthy: what the health URL says is wrong. */
    reason: z.string().min(1).max(200).optional(),
  })
  .strict();
const clearSchema = z
  .object({ fault: z.enum(estateFaultNames).optional(), subsystem: z.string().min(1).optional() })
  .strict();

export interface ActiveEstateFault {
  fault: EstateFaultName;
  subsystem: string;
  since: string;
  details: Record<string, unknown>;
}

/** Named combinations of estate faults. */
export const estateScenarios = {
  'estate-trouble': [
    { fault: 'subsystem-down', subsystem: 'user-accounts' },
    { fault: 'subsystem-db-unreachable', subsystem: 'accounting' },
    { fault: 'subsystem-version-mismatch', subsystem: 'fund-application' },
    { fault: 'subsystem-unhealthy', subsystem: 'bank-accounts', reason: '账户同步任务积压' },
  ],
} as const satisfies Record<string, z.input<typeof injectSchema>[]>;

export type EstateFaults = ReturnType<typeof createEstateFaults>;

export function createEstateFaults(deps: { apps: AppServers; clock: SandboxClock; log?: Logger }) {
  const { apps } = deps;
  const active = new Map<string, ActiveEstateFault>();
  const key = (fault: string, subsystem: string) => `${fault}/${subsystem}`;
  const known = (id: string) => {
    if (!apps.has(id))
      throw new FaultInputError(
        'subsystem',
        `unknown application server ${id}; the site has ${apps.ids().join(', ')}`,
      );
  };

  async function inject(input: unknown): Promise<ActiveEstateFault> {
    const req = parseFaultInput(injectSchema, input);
    known(req.subsystem);
    const details: Record<string, unknown> = {};
    switch (req.fault) {
      case 'subsystem-down':
        details.pid = await apps.effects.down(req.subsystem);
        break;
      case 'subsystem-unhealthy':
        details.reason = req.reason ?? '服务内部错误';
        apps.effects.unhealthy(req.subsystem, details.reason as string);
        break;
      case 'subsystem-version-mismatch':
        details.version = req.version ?? `${apps.info(req.subsystem).version ?? '1.0.0'}.9`;
        apps.effects.version(req.subsystem, details.version as string);
        break;
      case 'subsystem-db-unreachable':
        apps.effects.databaseOffline(req.subsystem);
        break;
    }
    const record = {
      fault: req.fault,
      subsystem: req.subsystem,
      since: deps.clock.now().toISOString(),
      details,
    };
    active.set(key(req.fault, req.subsystem), record);
    deps.log?.info(record, 'estate fault injected');
    return record;
  }

  async function clearOne(fault: EstateFaultName, subsystem: string): Promise<void> {
    const heal = {
      'subsystem-down': apps.heal.down,
      'subsystem-unhealthy': apps.heal.unhealthy,
      'subsystem-version-mismatch': apps.heal.version,
      'subsystem-db-unreachable': apps.heal.databaseOffline,
    }[fault];
    await heal(subsystem);
    active.delete(key(fault, subsystem));
    deps.log?.info({ fault, subsystem }, 'estate fault cleared');
  }

  return {
    inject,
    /** Clears one fault, a subsystem's faults, or all of them. */
    async clear(input?: unknown): Promise<ActiveEstateFault[]> {
      const req = parseFaultInput(clearSchema, input);
      if (req.subsystem) known(req.subsystem);
      const chosen = [...active.values()].filter(
        (f) => (!req.fault || f.fault === req.fault) && (!req.subsystem || f.subsystem === req.subsystem),
      );
      if (req.fault && req.subsystem && chosen.length === 0) await clearOne(req.fault, req.subsystem);
      for (const f of chosen) await clearOne(f.fault, f.subsystem);
      return chosen;
    },
    async scenario(name: keyof typeof estateScenarios): Promise<ActiveEstateFault[]> {
      for (const f of [...active.values()]) await clearOne(f.fault, f.subsystem);
      const injected: ActiveEstateFault[] = [];
      for (const input of estateScenarios[name])
        if (apps.has(input.subsystem)) injected.push(await inject(input));
      return injected;
    },
    active: (): ActiveEstateFault[] => [...active.values()],
  };
}
