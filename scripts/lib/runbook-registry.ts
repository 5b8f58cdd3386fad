/**
 * The runbooks an operator can start, for the CLI and the schedules: workflow type, input
 * schema, the deterministic workflow id, and checks against the site that the CLI makes
 * before anything starts (the workflow repeats them, for starts from the Temporal UI).
 */
import type { z } from 'zod';
import type { SiteConfig } from '../../temporal.config.ts';
import { addAgentBankInputSchema } from '../../workflows/add-agent-bank.types.ts';
import { channelRecoveryInputSchema } from '../../workflows/channel-recovery.types.ts';
import { dailyInspectionInputSchema } from '../../workflows/daily-inspection.types.ts';
import { sequenceResyncInputSchema } from '../../workflows/sequence-resync.types.ts';
import { voucherResendInputSchema } from '../../workflows/voucher-resend.types.ts';
import { dateInZone } from '../../workflows/shared/dates.ts';
import { bankCheckRunbooks } from './bank-check-registry.ts';
import { describeInputIssues } from '../../workflows/shared/errors.ts';

export interface RunbookEntry<S extends z.ZodType = z.ZodType> {
  workflowType: string;
  input: S;
  workflowId(input: z.output<S>, site: SiteConfig, now: Date): string;
  siteProblems(input: z.output<S>, site: SiteConfig): string[];
}

function unknownBanks(banks: string[] | undefined, site: SiteConfig): string[] {
  const known = site.banks.map((b) => b.code);
  return (banks ?? []).flatMap((code, i) =>
    known.includes(code)
      ? []
      : [`input.banks[${i}]: unknown bank code "${code}"; expected one of ${known.join(', ')}`],
  );
}

const dailyInspection: RunbookEntry<typeof dailyInspectionInputSchema> = {
  workflowType: 'dailyInspection',
  input: dailyInspectionInputSchema,
  workflowId: (input, site, now) => `daily-inspection/${input.date ?? dateInZone(now, site.site.timezone)}`,
  siteProblems: (input, site) => unknownBanks(input.banks, site),
};

const channelRecovery: RunbookEntry<typeof channelRecoveryInputSchema> = {
  workflowType: 'channelRecovery',
  input: channelRecoveryInputSchema,
  workflowId: (input, site, now) =>
    `channel-recovery/CZ.TO.${input.bank}/${dateInZone(now, site.site.timezone)}`,
  siteProblems: (input, site) =>
    unknownBanks([input.bank], site).map((p) => p.replace('input.banks[0]', 'input.bank')),
};

// The channel scope is about CZ.TO.<bank>; the serials scope is a separate resource with its own id.
const sequenceResync: RunbookEntry<typeof sequenceResyncInputSchema> = {
  workflowType: 'sequenceResync',
  input: sequenceResyncInputSchema,
  workflowId: (input, site, now) =>
    input.scope === 'serials'
      ? `sequence-resync/serials/${input.bank}/${dateInZone(now, site.site.timezone)}`
      : `sequence-resync/CZ.TO.${input.bank}/${dateInZone(now, site.site.timezone)}`,
  siteProblems: (input, site) =>
    unknownBanks([input.bank], site).map((p) => p.replace('input.banks[0]', 'input.bank')),
};

const voucherResend: RunbookEntry<typeof voucherResendInputSchema> = {
  workflowType: 'voucherResend',
  input: voucherResendInputSchema,
  workflowId: (input, site, now) => `voucher-resend/${input.bank}/${dateInZone(now, site.site.timezone)}`,
  siteProblems: (input, site) =>
    unknownBanks([input.bank], site).map((p) => p.replace('input.banks[0]', 'input.bank')),
};

// One onboarding per bank code: the id has no date, and a code already in the estate is refused.
const addAgentBank: RunbookEntry<typeof addAgentBankInputSchema> = {
  workflowType: 'addAgentBank',
  input: addAgentBankInputSchema,
  workflowId: (input) => `add-agent-bank/${input.code}`,
  siteProblems: (input, site) =>
    site.banks.some((b) => b.code === input.code)
      ? [`input.code: bank code "${input.code}" is already in the estate; expected a new code`]
      : [],
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
): { entry: RunbookEntry; input: unknown } {
  const entry = runbookRegistry[name];
  if (!entry) {
    throw new RunbookInputError([
      `runbook: unknown runbook "${name}"; expected one of ${Object.keys(runbookRegistry).join(', ')}`,
    ]);
  }
  const parsed = entry.input.safeParse(raw ?? {});
  if (!parsed.success) throw new RunbookInputError(describeInputIssues(parsed.error));
  const problems = entry.siteProblems(parsed.data, site);
  if (problems.length > 0) throw new RunbookInputError(problems);
  return { entry, input: parsed.data };
}
