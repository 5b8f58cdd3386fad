/**
 * Payments against procurement contracts and the push of their confirmations (确认书) to the
 * procurement cloud (政采云), as the payment system does them: contracts signed on the cloud are
 * recorded in the treasury (`procurement_contracts`); a payment against one is a direct-payment
 * voucher to the supplier with a pending confirmation; once the voucher is paid, the push job
 * sends the confirmation to the cloud over HTTP. Taken (or acknowledged as a duplicate) → pushed;
 * refused by the cloud's rules (unknown contract, beyond the contract's amount, a conflicting
 * repeat) → failed at once with the cloud's answer; the cloud unreachable or unavailable → one
 * more attempt, failed after `maxAttempts` — left for an engineer.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { TreasuryDatabase } from '../../connectors/treasury/schema.ts';
import { FaultInputError } from '../faults.ts';
import { retryWhenBusy } from './busy-retry.ts';
import { insertVouchers, knownBaseData } from './issue-vouchers.ts';
import type { ProcurementCloud } from './procurement-cloud.ts';

export interface ProcurementPayment {
  contractNo?: string;
  /** Payments to make (default 1), each a share of what is left of the contract. */
  count?: number;
  bank?: string;
  /** Fault: a payment beyond the contract's amount, or a confirmation whose amount is not its voucher's. */
  mismatch?: 'over-contract' | 'amount-differs';
}

export type Procurement = ReturnType<typeof createProcurement>;

const suppliers = [
  '县宏达建筑工程有限公司',
  '鑫源办公设备有限公司',
  '华信信息技术有限公司',
  '青山绿化工程有限公司',
  '城关物业管理有限公司',
  '恒通医疗器械有限公司',
];

export function createProcurement(deps: {
  treasury: Kysely<TreasuryDatabase>;
  cloud: ProcurementCloud;
  /** Where the push job reaches the cloud (the site's cloudUrl path on the sandbox's port). */
  cloudUrl: string;
  maxAttempts: number;
  banks: readonly string[];
  now: () => Date;
  today: () => string;
  log?: Logger;
}) {
  const { treasury, cloud } = deps;

  /** Contracts signed on the cloud this year, in both places (once). */
  async function seedContracts(): Promise<void> {
    const existing = await treasury
      .selectFrom('procurement_contracts')
      .select('contract_no')
      .executeTakeFirst();
    if (existing) return;
    const year = Number(deps.today().slice(0, 4));
    const { unit } = await knownBaseData(treasury, '2010102');
    const rows = suppliers.map((supplier, i) => ({
      contract_no: `ZCY${year}${String(i + 1).padStart(4, '0')}`,
      budget_unit_code: unit,
      supplier_name: supplier,
      amount_fen: (i + 2) * 25_000_000,
      fiscal_year: year,
      signed_on: `${year}-0${1 + (i % 9)}-15`,
    }));
    await treasury.insertInto('procurement_contracts').values(rows).execute();
    cloud.addContracts(rows);
  }

  async function pay(input: ProcurementPayment = {}) {
    const at = deps.now().toISOString();
    const date = deps.today();
    const bank = input.bank ?? (deps.banks[0] as string);
    if (!deps.banks.includes(bank)) throw new FaultInputError('bank', `unknown bank ${bank}`);
    return retryWhenBusy(() =>
      treasury.transaction().execute(async (trx) => {
        const contract = await trx
          .selectFrom('procurement_contracts')
          .selectAll()
          .$if(input.contractNo !== undefined, (q) => q.where('contract_no', '=', input.contractNo as string))
          .orderBy('contract_no')
          .executeTakeFirst();
        if (!contract)
          throw new FaultInputError('contractNo', `no procurement contract ${input.contractNo ?? ''}`.trim());
        const confirmed = await trx
          .selectFrom('procurement_confirmations')
          .select(({ fn }) => fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        const paidFen = await trx
          .selectFrom('procurement_confirmations')
          .select(({ fn }) => fn.sum<number>('amount_fen').as('fen'))
          .where('contract_no', '=', contract.contract_no)
          .executeTakeFirstOrThrow();
        const left = Number(contract.amount_fen) - Number(paidFen.fen ?? 0);
        const count = input.mismatch ? 1 : (input.count ?? 1);
        const { subject } = await knownBaseData(trx, '2010102');
        const made = [];
        for (let i = 0; i < count; i++) {
          const seq = Number(confirmed.n) + i + 1;
          const voucherNo = `ZC${date.replaceAll('-', '')}${bank}${String(seq).padStart(4, '0')}`;
          const amount =
            input.mismatch === 'over-contract'
              ? left + 5_000_00
              : Math.max(100, Math.floor(left / (count + 1)));
          const confirmationAmount = input.mismatch === 'amount-differs' ? amount + 10_000 : amount;
          const supplierAccount = `3301${String(Number(contract.amount_fen) % 1e11).padStart(11, '0')}${String(contract.contract_no.length).padStart(4, '0')}`;
          await insertVouchers(
            trx,
            [
              {
                voucherNo,
                bank,
                amountFen: amount,
                payee: {
                  id: `ZC${contract.contract_no}`,
                  accountNo: supplierAccount,
                  accountName: contract.supplier_name,
                  bankName: '县农村商业银行营业部',
                },
                budgetUnitCode: contract.budget_unit_code,
                subjectCode: subject,
                businessDate: date,
              },
            ],
            at,
          );
          const confirmationNo = `QRS${date.slice(0, 4)}${String(seq).padStart(6, '0')}`;
          await trx
            .insertInto('procurement_confirmations')
            .values({
              confirmation_no: confirmationNo,
              contract_no: contract.contract_no,
              voucher_no: voucherNo,
              amount_fen: confirmationAmount,
              status: 'pending',
              attempts: 0,
              last_error: null,
              pushed_at: null,
              updated_at: at,
            })
            .execute();
          made.push({
            contractNo: contract.contract_no,
            voucherNo,
            confirmationNo,
            amountFen: amount,
            confirmationAmountFen: confirmationAmount,
          });
        }
        return made;
      }),
    );
  }

  /** One round of the push job: the pending confirmations of paid vouchers, oldest first. */
  async function step(): Promise<void> {
    const due = await treasury
      .selectFrom('procurement_confirmations as c')
      .innerJoin('vouchers as v', 'v.voucher_no', 'c.voucher_no')
      .select([
        'c.confirmation_no',
        'c.contract_no',
        'c.voucher_no',
        'c.amount_fen',
        'c.attempts',
        'v.paid_at',
      ])
      .where('c.status', '=', 'pending')
      .where('v.status', '=', 'paid')
      .orderBy('c.updated_at')
      .limit(50)
      .execute();
    for (const c of due) {
      const outcome = await push({
        confirmationNo: c.confirmation_no,
        contractNo: c.contract_no,
        voucherNo: c.voucher_no,
        amountFen: Number(c.amount_fen),
        paidAt: c.paid_at ?? deps.now().toISOString(),
      });
      const attempts = c.attempts + 1;
      const status =
        outcome.kind === 'taken'
          ? 'pushed'
          : outcome.kind === 'refused' || attempts >= deps.maxAttempts
            ? 'failed'
            : 'pending';
      const at = deps.now().toISOString();
      await treasury
        .updateTable('procurement_confirmations')
        .set({
          status,
          attempts,
          last_error: outcome.kind === 'taken' ? null : outcome.error.slice(0, 400),
          ...(outcome.kind === 'taken' && { pushed_at: at }),
          updated_at: at,
        })
        .where('confirmation_no', '=', c.confirmation_no)
        .where('status', '=', 'pending')
        .execute();
      if (status === 'failed')
        deps.log?.warn(
          { confirmationNo: c.confirmation_no, attempts },
          'procurement confirmation push failed',
        );
    }
  }

  async function push(
    body: Record<string, unknown>,
  ): Promise<{ kind: 'taken' } | { kind: 'refused' | 'retry'; error: string }> {
    try {
      const res = await fetch(`${deps.cloudUrl}/api/confirmations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      const answer = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
      if (res.status === 200 || res.status === 201) return { kind: 'taken' };
      const error = `${answer.code ?? `HTTP ${res.status}`}: ${answer.message ?? ''}`;
      return { kind: res.status >= 500 ? 'retry' : 'refused', error };
    } catch (err) {
      return { kind: 'retry', error: `政采云不可达：${(err as Error).message}` };
    }
  }

  return { seedContracts, pay, step };
}
