/** Seeded base data (基础资料): budget units, budget subjects and payee accounts, with versions. */
import type {
  BudgetSubjectTable,
  BudgetUnitTable,
  PayeeAccountTable,
} from '../../connectors/treasury/schema.ts';
import type { BaseDataVersions } from '../messages.ts';
import { budgetSubjects, budgetUnitNames, companyName, payeeBanks } from './names.ts';
import type { Prng } from './prng.ts';

export interface BaseData {
  units: BudgetUnitTable[];
  subjects: BudgetSubjectTable[];
  payees: PayeeAccountTable[];
  /** The current version of each kind; every bank has acknowledged it in a healthy estate. */
  versions: BaseDataVersions;
}

/** The code of the i-th seeded budget unit (of `budgetUnitNames`). */
export const budgetUnitCode = (i: number): string => `${101 + i}001`;

export function generateBaseData(prng: Prng, payeeCount = 80): BaseData {
  const versions: BaseDataVersions = {
    budget_unit: prng.int(2, 5),
    payee_account: prng.int(5, 12),
    subject: prng.int(1, 3),
  };
  const versionOf = (current: number, i: number) => (i % 4 === 0 ? current : prng.int(1, current));
  const units = budgetUnitNames.map((name, i) => ({
    code: budgetUnitCode(i),
    name,
    version: versionOf(versions.budget_unit, i),
  }));
  const subjects = budgetSubjects.map(([code, name], i) => ({
    code,
    name,
    version: versionOf(versions.subject, i),
  }));
  const payees = Array.from({ length: payeeCount }, (_, i) => ({
    id: `PA${String(i + 1).padStart(6, '0')}`,
    account_no: `${prng.pick(['6', '3', '1', '9'])}${prng.digits(18)}`,
    account_name: companyName(prng.pick),
    bank_name: prng.pick(payeeBanks),
    version: versionOf(versions.payee_account, i),
  }));
  return { units, subjects, payees, versions };
}
