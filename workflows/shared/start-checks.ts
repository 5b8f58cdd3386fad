/**
 * What catalog entries share: the site checks of a start — the input's bank is in the estate,
 * its business days are not after today (the same pure checks the workflows make with the
 * estate an activity describes) — and the Chinese labels of the fields most inputs have.
 */
import { futureDateProblems, unknownBankProblems } from '../../domain/runbooks/input-estate.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import type { RunDay } from './runbook-definition.ts';

export const siteBanks = (site: SiteConfig) => site.banks.map((b) => b.code);

/** The input's bank is in the estate, and its business `dates` are not after today. */
export function bankAndDates(
  bank: string,
  dates: Record<string, string | undefined>,
  site: SiteConfig,
  day: RunDay,
): string[] {
  return [
    ...unknownBankProblems('input.bank', bank, siteBanks(site)),
    ...futureDateProblems(dates, day.today),
  ];
}

/**
 * A program restart's target: the input's bank (in the estate) or subsystem (in the site file),
 * and the program it names among theirs.
 */
export function programTargetProblems(
  input: { bank?: string | undefined; subsystem?: string | undefined; program?: string | undefined },
  site: SiteConfig,
): string[] {
  if (input.bank !== undefined) {
    const bank = site.banks.find((b) => b.code === input.bank);
    if (!bank) return unknownBankProblems('input.bank', input.bank, siteBanks(site));
    return programProblems(input.program, bank.programs);
  }
  const s = site.subsystems.find((x) => x.id === input.subsystem);
  if (!s)
    return [
      `input.subsystem: no subsystem ${input.subsystem} in the site file; declared: ${site.subsystems.map((x) => x.id).join(', ')}`,
    ];
  return programProblems(input.program, s.programs);
}

function programProblems(program: string | undefined, declared: readonly { name: string }[]): string[] {
  const names = declared.map((p) => p.name);
  if (names.length === 0) return ['input: the site file declares no programs for it'];
  return program === undefined || names.includes(program)
    ? []
    : [`input.program: no program named ${program}; declared: ${names.join(', ')}`];
}

/** Labels of the fields a bank-scoped runbook's input has. */
export const bankRunLabels = {
  bank: '代理银行',
  requestedBy: '申请人',
  reason: '原因（给审批人看）',
  dryRun: '只出方案，不执行',
} as const;

/** A bank check's input: a bank and, optionally, the business day it checks up to. */
interface BankDayInput {
  bank: string;
  date?: string | undefined;
}

/** The bank is in the estate and the input's date is not after today. */
export const bankDayProblems = (input: BankDayInput, site: SiteConfig, day: RunDay) =>
  bankAndDates(input.bank, { date: input.date }, site, day);

/** `<id>/<bank>/<the input's date, or today>`: a bank check's run is about one bank's day. */
export const bankDayWorkflowId = (id: string) => (input: BankDayInput, day: RunDay) =>
  `${id}/${input.bank}/${input.date ?? day.today}`;

/** Labels of the fields the settling bank checks (receipts, voids, refunds) share. */
export const bankCheckLabels = {
  ...bankRunLabels,
  date: '截止日期（默认今天）',
  answerWaitSeconds: '等待银行应答（秒）',
} as const;
