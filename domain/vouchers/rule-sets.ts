/**
 * The voucher field rule sets (凭证要素规范) the engine knows, by name: what each means to an
 * approver, which one a bank uses when its site entry names none, and the schema of a
 * `voucherRules` field. Pure data with no imports but zod, so the site schema
 * (temporal.config.ts), runbook inputs in the workflow bundle and the rules themselves
 * (domain/vouchers/field-rules.ts) share one list.
 */
import { z } from 'zod';
import type { Bilingual } from '../approvals/gate-types.ts';

export const voucherRuleSetNames = ['standard', 'rural-commercial'] as const;
export type VoucherRuleSetName = (typeof voucherRuleSetNames)[number];

export const voucherRuleSetLabels: Record<VoucherRuleSetName, Bilingual> = {
  standard: {
    zh: '国库集中支付接口标准：账号 10–25 位数字，户名 ≤ 60 字',
    en: 'treasury payment interface standard: 10–25 digit accounts, names up to 60 characters',
  },
  'rural-commercial': {
    zh: '农商行核心系统：账号 12–19 位数字，户名 ≤ 40 字，开户行 ≤ 30 字',
    en: "rural commercial banks' core systems: 12–19 digit accounts, names up to 40, bank names up to 30",
  },
};

/** Banks whose rule set is not `standard` when the site file names none (by bank code). */
export const defaultRuleSetByBank: Readonly<Record<string, VoucherRuleSetName>> = {
  RCB: 'rural-commercial',
};

export function isVoucherRuleSetName(name: string): name is VoucherRuleSetName {
  return (voucherRuleSetNames as readonly string[]).includes(name);
}

/** The rule set a bank applies: the configured one, else the default for its code. */
export function voucherRulesOf(bank: {
  code: string;
  voucherRules?: VoucherRuleSetName;
}): VoucherRuleSetName {
  return bank.voucherRules ?? defaultRuleSetByBank[bank.code] ?? 'standard';
}

/** `standard（国库集中支付接口标准：…）`, or the bare name of a set this build does not know. */
export function voucherRuleSetText(name: string, lang: keyof Bilingual): string {
  if (!isVoucherRuleSetName(name)) return name;
  const label = voucherRuleSetLabels[name][lang];
  return lang === 'zh' ? `${name}（${label}）` : `${name} (${label})`;
}

/** A `voucherRules` field (site file bank entry, run input): one of the names, or an error listing them. */
export const voucherRulesSchema = z.enum(voucherRuleSetNames, {
  error: (issue) =>
    `unknown rule set ${JSON.stringify(issue.input)}; expected one of ${voucherRuleSetNames.join(', ')}`,
});
