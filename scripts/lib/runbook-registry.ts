/**
 * The runbooks an operator can start, for the CLI and the schedules: workflow type, input
 * schema, the deterministic workflow id, and checks against the site that the CLI makes
 * before anything starts (the workflow repeats them, for starts from the Temporal UI).
 */
import type { z } from 'zod';
import { boundedProblems, checkInput, quoted } from '../../domain/errors.ts';
import {
  confinedPathProblems,
  futureDateProblems,
  unknownBankProblems,
} from '../../domain/runbooks/input-estate.ts';
import { runbookInputSchemas as schemas } from '../../domain/runbooks/input-schemas.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { bankCheckRunbooks } from './bank-check-registry.ts';
import { bankAndDates, siteBanks, today } from './runbook-site-checks.ts';

export interface RunbookEntry<S extends z.ZodType = z.ZodType> {
  workflowType: string;
  input: S;
  /** A valid input, as the README shows it (the generated bad-input tests start from it). */
  example: z.input<S>;
  workflowId(input: z.output<S>, site: SiteConfig, now: Date): string;
  /** The checks the workflow makes against the estate, made here with the site file. */
  siteProblems(input: z.output<S>, site: SiteConfig, now: Date): string[];
}

const dailyInspection: RunbookEntry<(typeof schemas)['daily-inspection']> = {
  workflowType: 'dailyInspection',
  input: schemas['daily-inspection'],
  example: { date: '2026-11-27', banks: ['ICBC', 'CCB'], skip: ['traffic'] },
  workflowId: (input, site, now) => `daily-inspection/${input.date ?? today(site, now)}`,
  siteProblems: (input, site, now) => [
    ...unknownBankProblems('input.banks', input.banks, siteBanks(site)),
    ...futureDateProblems({ date: input.date }, today(site, now)),
  ],
};

const channelRecovery: RunbookEntry<(typeof schemas)['channel-recovery']> = {
  workflowType: 'channelRecovery',
  input: schemas['channel-recovery'],
  example: { bank: 'ICBC', requestedBy: 'zhang.san', reason: '巡检发现 CZ.TO.ICBC 重试中' },
  workflowId: (input, site, now) => `channel-recovery/CZ.TO.${input.bank}/${today(site, now)}`,
  siteProblems: (input, site, now) => bankAndDates(input.bank, {}, site, now),
};

// The channel scope is about CZ.TO.<bank>; the serials scope is a separate resource with its own id.
const sequenceResync: RunbookEntry<(typeof schemas)['sequence-resync']> = {
  workflowType: 'sequenceResync',
  input: schemas['sequence-resync'],
  example: { bank: 'CCB', requestedBy: 'zhang.san', scope: 'channel', bankLastSeq: 1205, dryRun: true },
  workflowId: (input, site, now) =>
    input.scope === 'serials'
      ? `sequence-resync/serials/${input.bank}/${today(site, now)}`
      : `sequence-resync/CZ.TO.${input.bank}/${today(site, now)}`,
  siteProblems: (input, site, now) => bankAndDates(input.bank, {}, site, now),
};

const voucherResend: RunbookEntry<(typeof schemas)['voucher-resend']> = {
  workflowType: 'voucherResend',
  input: schemas['voucher-resend'],
  example: {
    bank: 'ICBC',
    requestedBy: 'zhang.san',
    voucherNos: ['ZZ20261127ICBC0001'],
    since: '2026-11-01',
    dryRun: true,
  },
  workflowId: (input, site, now) => `voucher-resend/${input.bank}/${today(site, now)}`,
  siteProblems: (input, site, now) => bankAndDates(input.bank, { since: input.since }, site, now),
};

// One onboarding per bank code: the id has no date, and a code already in the estate is refused.
const addAgentBank: RunbookEntry<(typeof schemas)['add-agent-bank']> = {
  workflowType: 'addAgentBank',
  input: schemas['add-agent-bank'],
  example: {
    code: 'HXB',
    name: '华夏银行',
    frontEnd: { host: '10.8.1.20', port: 1414 },
    requestedBy: 'zhang.san',
    dryRun: true,
  },
  workflowId: (input) => `add-agent-bank/${input.code}`,
  siteProblems: (input, site) => [
    ...(siteBanks(site).includes(input.code)
      ? [`input.code: bank code "${input.code}" is already in the estate; expected a new code`]
      : []),
    ...input.programs.flatMap((p, i) =>
      'pidFile' in p ? confinedPathProblems(`input.programs[${i}].pidFile`, p.pidFile, site.pidDirs) : [],
    ),
  ],
};

export const runbookRegistry: Record<string, RunbookEntry> = {
  'add-agent-bank': addAgentBank as unknown as RunbookEntry,
  'daily-inspection': dailyInspection as unknown as RunbookEntry,
  ...bankCheckRunbooks,
  'channel-recovery': channelRecovery as unknown as RunbookEntry,
  'voucher-resend': voucherResend as unknown as RunbookEntry,
  'sequence-resync': sequenceResync as unknown as RunbookEntry,
};

export class RunbookInputError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid input:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RunbookInputError';
  }
}

/** Validates a runbook's input against its schema and the site; throws RunbookInputError. */
export function validateRunbookInput(
  name: string,
  raw: unknown,
  site: SiteConfig,
  now = new Date(),
): { entry: RunbookEntry; input: unknown } {
  const entry = runbookRegistry[name];
  if (!entry) {
    throw new RunbookInputError([
      `runbook: unknown runbook ${quoted(name)}; expected one of ${Object.keys(runbookRegistry).join(', ')}`,
    ]);
  }
  const checked = checkInput(entry.input, raw);
  if (!checked.ok) throw new RunbookInputError(boundedProblems(checked.problems));
  const problems = entry.siteProblems(checked.input, site, now);
  if (problems.length > 0) throw new RunbookInputError(boundedProblems(problems));
  return { entry, input: checked.input };
}
