/**
 * One approved payee-field normalisation, applied where the record still holds the value the
 * plan saw. Under the approved step's key, the fix is filed (payee_fixes) in the transaction that
 * changes the record, so a step retried after its change committed — a worker killed before it
 * could report — finds the value in place and knows the write for its own: applied, not
 * `already`, which stays for a value someone else put in place.
 */
import type { Kysely } from 'kysely';
import type { TreasuryDatabase } from '../connectors/treasury/schema.ts';
import type { PayeeField } from '../domain/runbooks/voucher-resend.types.ts';

type Db = Kysely<TreasuryDatabase>;

export type PayeeFixResult = 'applied' | 'already' | 'changed';

const columnOf = {
  payeeAccountNo: 'account_no',
  payeeAccountName: 'account_name',
  payeeBankName: 'bank_name',
} as const;

/** The field's value on the payee's record now ('' when there is no record). */
export async function payeeValue(db: Db, payeeId: string, field: PayeeField): Promise<string> {
  const row = await db
    .selectFrom('payee_accounts')
    .select(['account_no', 'account_name', 'bank_name'])
    .where('id', '=', payeeId)
    .executeTakeFirst();
  return row?.[columnOf[field]] ?? '';
}

export interface PayeeFix {
  payeeId: string;
  field: PayeeField;
  /** The value read, which the record must still hold. */
  current: string;
  target: string;
  /** The approved step's key; without one the fix is not filed and a retry cannot know it. */
  stepKey?: string;
  at: string;
}

const fixKeyOf = (fix: Pick<PayeeFix, 'payeeId' | 'field'>, stepKey: string) =>
  `${stepKey}/${fix.payeeId}/${fix.field}`;

/** Sets the field to `target` where it still holds `current`, and files the fix with it: applied, or changed meanwhile. */
export function applyPayeeFix(db: Db, fix: PayeeFix): Promise<PayeeFixResult> {
  const column = columnOf[fix.field];
  // The update comes first: it takes SQLite's write lock, so the look at the filed fixes after it
  // cannot be overtaken by another process's commit.
  return db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('payee_accounts')
      .set({ [column]: fix.target })
      .where('id', '=', fix.payeeId)
      .where(column, '=', fix.current)
      .executeTakeFirst();
    if (res.numUpdatedRows !== 1n) return 'changed';
    if (fix.stepKey) {
      const key = fixKeyOf(fix, fix.stepKey);
      const filed = await trx
        .selectFrom('payee_fixes')
        .select('fix_key')
        .where('fix_key', '=', key)
        .executeTakeFirst();
      if (!filed)
        await trx
          .insertInto('payee_fixes')
          .values({ fix_key: key, payee_id: fix.payeeId, field: fix.field, applied_at: fix.at })
          .execute();
    }
    return 'applied';
  });
}

/** A value found in place: this step's own earlier write when it filed the fix, else someone else's. */
export async function foundInPlace(
  db: Db,
  fix: Pick<PayeeFix, 'payeeId' | 'field' | 'stepKey'>,
): Promise<PayeeFixResult> {
  if (!fix.stepKey) return 'already';
  const filed = await db
    .selectFrom('payee_fixes')
    .select('fix_key')
    .where('fix_key', '=', fixKeyOf(fix, fix.stepKey))
    .executeTakeFirst();
  return filed ? 'applied' : 'already';
}
