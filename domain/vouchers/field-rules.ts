/**
 * Banks' field rules for payment vouchers (凭证要素规范), one zod schema per rule set, and the
 * automatic normalisations a runbook may propose: whitespace, full-width → half-width, and the
 * length of fields a bank allows to be shortened. What no normalisation can make valid is left
 * for a person. A bank's rule set is the one its site entry names (`banks[].voucherRules`, also in
 * an added bank's file), else the default for its code; the names, their labels and the defaults
 * live in domain/vouchers/rule-sets.ts, which the site schema validates against.
 */
import { z } from 'zod';
import {
  isVoucherRuleSetName,
  voucherRuleSetLabels,
  voucherRuleSetNames,
  voucherRulesOf,
  type VoucherRuleSetName,
} from './rule-sets.ts';

/** The voucher fields a bank checks that come from finance's records (vouchers, payee accounts). */
export interface VoucherFields {
  payeeAccountNo: string;
  payeeAccountName: string;
  payeeBankName: string;
  amountFen: number;
}

export type VoucherField = keyof VoucherFields;
/** The fields held on the payee account record, so a normalisation changes that record. */
export type PayeeField = Exclude<VoucherField, 'amountFen'>;

export interface RuleSet {
  name: VoucherRuleSetName;
  description: string;
  schema: z.ZodType<VoucherFields>;
  /** Fields the bank lets finance shorten to its limit (informational fields only, never a payee's name or account). */
  shortenable: Partial<Record<PayeeField, number>>;
}

const noEdgeSpace = (s: string) => s === s.trim();
const noFullWidth = (s: string) => !/[\uFF01-\uFF5E\u3000]/.test(s);

function ruleSet(options: {
  name: VoucherRuleSetName;
  account: RegExp;
  accountHint: string;
  nameMax: number;
  bankNameMax: number;
}): RuleSet {
  const text = (max: number) =>
    z
      .string()
      .min(1, '不能为空')
      .max(max, `不能超过 ${max} 个字符`)
      .refine(noEdgeSpace, '首尾不能有空格')
      .refine(noFullWidth, '不能含全角字母、数字或空格');
  return {
    name: options.name,
    description: voucherRuleSetLabels[options.name].zh,
    schema: z.object({
      payeeAccountNo: z.string().regex(options.account, options.accountHint),
      payeeAccountName: text(options.nameMax),
      payeeBankName: text(options.bankNameMax),
      amountFen: z.number().int('须为整数分').positive('须大于零'),
    }),
    shortenable: { payeeBankName: options.bankNameMax },
  };
}

export const voucherRuleSets = {
  /** The treasury payment interface standard most agent banks follow. */
  standard: ruleSet({
    name: 'standard',
    account: /^\d{10,25}$/,
    accountHint: '须为 10–25 位数字',
    nameMax: 60,
    bankNameMax: 60,
  }),
  /** Rural commercial banks' core systems: shorter names and bank names, 12–19 digit accounts. */
  'rural-commercial': ruleSet({
    name: 'rural-commercial',
    account: /^\d{12,19}$/,
    accountHint: '须为 12–19 位数字',
    nameMax: 40,
    bankNameMax: 30,
  }),
} satisfies Record<VoucherRuleSetName, RuleSet>;

/**
 * The rule set of a bank: the configured name when given, else the default for its code. The
 * site schema refuses unknown names; one reaching here (a caller's own string) is refused too.
 */
export function rulesFor(bank: string, configured?: string): RuleSet {
  if (configured !== undefined && !isVoucherRuleSetName(configured))
    throw new RangeError(
      `voucherRules: unknown rule set "${configured}"; expected one of ${voucherRuleSetNames.join(', ')}`,
    );
  return voucherRuleSets[voucherRulesOf({ code: bank, voucherRules: configured })];
}

export type NormalisationKind = 'whitespace' | 'full-width' | 'length';

export interface FieldFix {
  field: PayeeField;
  kinds: NormalisationKind[];
  before: string;
  after: string;
}

export interface FieldProblem {
  field: VoucherField;
  message: string;
}

export type FieldCheck =
  | { ok: true }
  /** Valid once `fixes` are applied. */
  | { ok: false; fixable: true; fixes: FieldFix[] }
  /** Not valid even after every automatic normalisation: a person must correct the record. */
  | { ok: false; fixable: false; fixes: FieldFix[]; problems: FieldProblem[] };

/** Full-width ASCII (U+FF01–FF5E) and the ideographic space as their half-width forms. */
export function toHalfWidth(s: string): string {
  return s
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ');
}

function normaliseField(
  field: PayeeField,
  value: string,
  rules: RuleSet,
): { value: string; kinds: NormalisationKind[] } {
  const kinds: NormalisationKind[] = [];
  let v = value;
  const half = toHalfWidth(v);
  if (half !== v) kinds.push('full-width');
  v = half;
  // Account numbers are digits only: every space and the hyphens people type to group them go.
  const spaced = field === 'payeeAccountNo' ? v.replace(/[\s-]+/g, '') : v.trim().replace(/\s+/g, ' ');
  if (spaced !== v) kinds.push('whitespace');
  v = spaced;
  const limit = rules.shortenable[field];
  if (limit !== undefined && [...v].length > limit) {
    v = [...v].slice(0, limit).join('').trimEnd();
    kinds.push('length');
  }
  return { value: v, kinds };
}

/** Checks the fields with the bank's rules and proposes what can be fixed automatically. */
export function checkVoucherFields(fields: VoucherFields, rules: RuleSet): FieldCheck {
  if (rules.schema.safeParse(fields).success) return { ok: true };
  const fixes: FieldFix[] = [];
  const fixed: VoucherFields = { ...fields };
  for (const field of ['payeeAccountNo', 'payeeAccountName', 'payeeBankName'] as const) {
    const n = normaliseField(field, fields[field], rules);
    if (n.value !== fields[field]) {
      fixes.push({ field, kinds: n.kinds, before: fields[field], after: n.value });
      fixed[field] = n.value;
    }
  }
  const after = rules.schema.safeParse(fixed);
  if (after.success) return { ok: false, fixable: true, fixes };
  const problems = after.error.issues.map((issue) => ({
    field: String(issue.path[0]) as VoucherField,
    message: issue.message,
  }));
  return { ok: false, fixable: false, fixes, problems };
}

/** The normalised value of one payee field (what a fix writes), recomputed from the current value. */
export function normalisedValue(field: PayeeField, value: string, rules: RuleSet): string {
  return normaliseField(field, value, rules).value;
}
