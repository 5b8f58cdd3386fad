/**
 * Treasury activities (db zone) of failed voucher repair and resend: find failed vouchers and
 * describe them (payee data masked before it leaves this file), push base-data updates, normalise
 * payee fields, requeue vouchers for the program to send again, and correct finance's status to
 * the bank's. Its questions to the bank go through activities/bank-questions.ts.
 *
 * Every change is keyed or guarded by the row state the plan saw (status and updated_at), so a
 * retried or replayed activity finds its work done and changes nothing twice.
 */
import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Kysely, Updateable } from 'kysely';
import type { TreasuryDb } from '../connectors/treasury/database.ts';
import { firstRows } from '../connectors/treasury/portable.ts';
import type { TreasuryDatabase, VoucherStatus } from '../connectors/treasury/schema.ts';
import type { ProofAction } from '../domain/approvals/proof.ts';
import { baseDataKinds, type BaseDataKind } from '../domain/base-data.ts';
import { maskAccount, maskName } from '../domain/display.ts';
import {
  alignCommand,
  baseDataCommand,
  batchesOf,
  confirmCommand,
  fixCommand,
  requeueCommand,
} from '../domain/runbooks/voucher-resend.plan.ts';
import type {
  FailedVoucher,
  FieldCheck,
  ListPlace,
  PayeeField,
  PlannedVoucher,
  ProposedFix,
} from '../domain/runbooks/voucher-resend.types.ts';
import { checkVoucherFields, normalisedValue, rulesFor } from '../domain/vouchers/field-rules.ts';
import type { SiteConfig } from '../temporal.config.ts';
import { applyPayeeFix, foundInPlace, payeeValue, type PayeeFixResult } from './payee-fixes.ts';
import { requiresProof, sqlAction } from './proof-actions.ts';
import { requireBank } from './site-lookup.ts';

export interface VoucherDeps {
  db: TreasuryDb;
  site: SiteConfig;
  now?: () => Date;
}

export interface FailedFilter {
  bank: string;
  /** Business dates from this day on. */
  since: string;
  /** A `sent` voucher counts as failed when sent before this instant. */
  staleSentBefore: string;
}

export interface RowChange {
  voucherNo: string;
  /** Whether this call changed the row. */
  changed: boolean;
  /** The row's status after the call. */
  status: string;
}

const hash = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
export const valueDigest = (value: string) => hash(value).slice(0, 16);

type Db = Kysely<TreasuryDatabase>;

function failedVouchers(db: Db, f: FailedFilter) {
  return db
    .selectFrom('vouchers as v')
    .where('v.bank_code', '=', f.bank)
    .where('v.business_date', '>=', f.since)
    .where((eb) =>
      eb.or([
        eb('v.status', 'in', ['rejected', 'timed_out']),
        eb.and([eb('v.status', '=', 'sent'), eb('v.sent_at', '<', f.staleSentBefore)]),
      ]),
    );
}

export function createVoucherActivities({ db, site, now = () => new Date() }: VoucherDeps) {
  const maskField = (field: PayeeField, value: string) =>
    field === 'payeeAccountNo' ? maskAccount(value) : field === 'payeeAccountName' ? maskName(value) : value;

  async function currentVersions(bank: string): Promise<Map<BaseDataKind, number>> {
    const rows = await db
      .selectFrom('base_data_versions')
      .select(['kind', 'version_current'])
      .where('bank_code', '=', bank)
      .execute();
    return new Map(rows.map((r) => [r.kind, r.version_current]));
  }

  async function ackedVersions(bank: string): Promise<Record<BaseDataKind, number>> {
    const rows = await db
      .selectFrom('base_data_versions')
      .select(['kind', 'version_acked', 'version_current'])
      .where('bank_code', '=', bank)
      .execute();
    return Object.fromEntries(
      baseDataKinds.map((k) => [k, rows.find((r) => r.kind === k)?.version_acked ?? 0]),
    ) as Record<BaseDataKind, number>;
  }

  return {
    /** The failed vouchers of a bank, in batches of voucher-number ranges (numbers only: cheap for any count). */
    async listFailedVoucherBatches(
      input: FailedFilter & { voucherNos?: string[]; batchSize: number; max: number },
    ): Promise<{
      total: number;
      totalFen: number;
      truncated: boolean;
      batches: { first: string; last: string; count: number }[];
    }> {
      requireBank(site, input.bank);
      let q = failedVouchers(db, input).select(['v.voucher_no', 'v.amount_fen']);
      if (input.voucherNos) q = q.where('v.voucher_no', 'in', input.voucherNos);
      const rows = await q
        .orderBy('v.voucher_no')
        .$call(firstRows(db, input.max + 1))
        .execute();
      const kept = rows.slice(0, input.max);
      return {
        total: kept.length,
        totalFen: kept.reduce((s, r) => s + Number(r.amount_fen), 0),
        truncated: rows.length > input.max,
        batches: batchesOf(
          kept.map((r) => r.voucher_no),
          input.batchSize,
        ),
      };
    },

    /** Describes the failed vouchers of one range (or list): failure, stale base data, fields by the bank's rules. */
    async inspectFailedVouchers(
      input: FailedFilter & { range?: { first: string; last: string }; voucherNos?: string[] },
    ): Promise<FailedVoucher[]> {
      const bank = requireBank(site, input.bank);
      let q = failedVouchers(db, input)
        .leftJoin('payee_accounts as p', 'p.id', 'v.payee_account_id')
        .leftJoin('budget_units as u', 'u.code', 'v.budget_unit_code')
        .leftJoin('budget_subjects as s', 's.code', 'v.subject_code')
        .select([
          'v.voucher_no',
          'v.amount_fen',
          'v.status',
          'v.business_date',
          'v.updated_at',
          'v.sent_at',
          'v.failure_code',
          'v.payee_account_id',
          'p.account_no',
          'p.account_name',
          'p.bank_name',
          'p.version as payee_version',
          'u.version as unit_version',
          's.version as subject_version',
        ]);
      if (input.range)
        q = q.where('v.voucher_no', '>=', input.range.first).where('v.voucher_no', '<=', input.range.last);
      if (input.voucherNos) q = q.where('v.voucher_no', 'in', input.voucherNos);
      const rows = await q.orderBy('v.voucher_no').execute();
      const acked = await ackedVersions(input.bank);
      const rules = rulesFor(bank.code, bank.voucherRules);
      const voiding = new Set(
        rows.length === 0
          ? []
          : (
              await db
                .selectFrom('voucher_voids')
                .select('voucher_no')
                .where('bank_code', '=', input.bank)
                .where('status', 'in', ['pending_send', 'sent', 'confirmed'])
                .where(
                  'voucher_no',
                  'in',
                  rows.map((r) => r.voucher_no),
                )
                .execute()
            ).map((r) => r.voucher_no),
      );
      return rows.map((r): FailedVoucher => {
        const versions: Record<BaseDataKind, number | null> = {
          budget_unit: r.unit_version,
          payee_account: r.payee_version,
          subject: r.subject_version,
        };
        const check = checkVoucherFields(
          {
            payeeAccountNo: r.account_no ?? '',
            payeeAccountName: r.account_name ?? '',
            payeeBankName: r.bank_name ?? '',
            amountFen: Number(r.amount_fen),
          },
          rules,
        );
        const fields: FieldCheck = check.ok
          ? check
          : {
              ok: false,
              fixable: check.fixable,
              fixes: check.fixes.map((f): ProposedFix => ({
                payeeId: r.payee_account_id,
                field: f.field,
                kinds: f.kinds,
                before: maskField(f.field, f.before),
                after: maskField(f.field, f.after),
                beforeDigest: valueDigest(f.before),
              })),
              problems: check.fixable ? [] : check.problems,
            };
        return {
          voucherNo: r.voucher_no,
          amountFen: Number(r.amount_fen),
          status: r.status as FailedVoucher['status'],
          businessDate: r.business_date,
          updatedAt: r.updated_at,
          sentAt: r.sent_at,
          failureCode: r.failure_code,
          payeeId: r.payee_account_id,
          payee: { name: maskName(r.account_name ?? ''), account: maskAccount(r.account_no ?? '') },
          staleBaseData: baseDataKinds.flatMap((kind) => {
            const needed = versions[kind];
            return needed !== null && needed > acked[kind] ? [{ kind, needed, acked: acked[kind] }] : [];
          }),
          fields,
          ruleSet: rules.name,
          voiding: voiding.has(r.voucher_no),
        };
      });
    },

    /** Finance's current version of each kind, and what the bank has acknowledged. */
    async baseDataVersions(input: { bank: string }) {
      requireBank(site, input.bank);
      const rows = await db
        .selectFrom('base_data_versions')
        .select(['kind', 'version_current', 'version_sent', 'version_acked'])
        .where('bank_code', '=', input.bank)
        .execute();
      return rows.map((r) => ({
        kind: r.kind,
        current: r.version_current,
        sent: r.version_sent,
        acked: r.version_acked,
      }));
    },

    /** Asks the send/receive program to push finance's current version of each kind (keyed by `key`). */
    pushBaseData: requiresProof(
      async (input: { bank: string; kinds: BaseDataKind[]; key: string }) => {
        const current = await currentVersions(input.bank);
        return input.kinds.map((kind) => ({
          kind: 'message' as const,
          target: input.bank,
          command: baseDataCommand(kind, current.get(kind) ?? 0),
        }));
      },
      async (input): Promise<{ kind: BaseDataKind; version: number; pushId: string; created: boolean }[]> => {
        requireBank(site, input.bank);
        const at = now().toISOString();
        const out: { kind: BaseDataKind; version: number; pushId: string; created: boolean }[] = [];
        for (const kind of input.kinds) {
          const pushId = `${input.key}/${kind}`;
          const existing = await db
            .selectFrom('base_data_pushes')
            .select(['version'])
            .where('push_id', '=', pushId)
            .executeTakeFirst();
          if (existing) {
            out.push({ kind, version: existing.version, pushId, created: false });
            continue;
          }
          const row = await db
            .selectFrom('base_data_versions')
            .select('version_current')
            .where('bank_code', '=', input.bank)
            .where('kind', '=', kind)
            .executeTakeFirstOrThrow();
          await db
            .insertInto('base_data_pushes')
            .values({
              push_id: pushId,
              bank_code: input.bank,
              kind,
              version: row.version_current,
              status: 'pending_send',
              requested_at: at,
              sent_at: null,
              answered_at: null,
              answer_reason: null,
            })
            .execute();
          out.push({ kind, version: row.version_current, pushId, created: true });
        }
        return out;
      },
    ),

    /** Where each push stands: pending_send, sent, acked or rejected (with the bank's reason). */
    async baseDataPushStates(input: { pushIds: string[] }) {
      if (input.pushIds.length === 0) return [];
      const rows = await db
        .selectFrom('base_data_pushes')
        .select(['push_id', 'kind', 'version', 'status', 'answer_reason'])
        .where('push_id', 'in', input.pushIds)
        .execute();
      return rows.map((r) => ({
        pushId: r.push_id,
        kind: r.kind,
        version: r.version,
        status: r.status,
        reason: r.answer_reason,
      }));
    },

    /**
     * Applies approved normalisations to payee records: each only to the value the plan saw
     * (by digest), recomputed here from the bank's rules so no plain value crosses history, and
     * only if it still comes out as the plan showed it (the bank's rule set may have been changed
     * in the site file since). Under `key`, the approved step's, each fix is filed with its
     * change, and a retry counts a value it finds in place as applied when it wrote it itself
     * (activities/payee-fixes.ts).
     */
    normalisePayeeFields: requiresProof(
      (input: { bank: string; fixes: ProposedFix[]; key?: string }) =>
        input.fixes.map((f) => sqlAction(fixCommand(f))),
      async (input): Promise<{ payeeId: string; field: PayeeField; result: PayeeFixResult }[]> => {
        const bank = requireBank(site, input.bank);
        const rules = rulesFor(bank.code, bank.voucherRules);
        const out: { payeeId: string; field: PayeeField; result: PayeeFixResult }[] = [];
        for (const { payeeId, field, after, beforeDigest } of input.fixes) {
          const current = await payeeValue(db, payeeId, field);
          const target = normalisedValue(field, current, rules);
          const fix = { payeeId, field, current, target, ...(input.key && { stepKey: input.key }) };
          let result: PayeeFixResult = 'changed';
          // Guarded by the value read: a record changed since is left alone.
          if (
            valueDigest(current) === beforeDigest &&
            target !== current &&
            maskField(field, target) === after
          )
            result = await applyPayeeFix(db, { ...fix, at: now().toISOString() });
          else if (target === current) result = await foundInPlace(db, fix);
          out.push({ payeeId, field, result });
        }
        return out;
      },
    ),

    /**
     * Puts vouchers back to pending_send, for the send/receive program to send again under their
     * own numbers — each only if its row is still exactly as the plan saw it. A second call
     * (a retry after a crash) finds the rows moved on and changes nothing.
     */
    requeueVouchers: requiresProof(
      (input: { bank: string; vouchers: PlannedVoucher[]; list: ListPlace & { part: string[] } }) => [
        listAction(requeueCommand(input.bank), 'resend', input.vouchers, input.list),
      ],
      async (input): Promise<RowChange[]> => {
        requireBank(site, input.bank);
        return setWhereUnchanged(db, now, input.bank, input.vouchers, 'pending_send', (at) => ({
          submitted_at: at,
          sent_at: null,
          serial_no: null,
          failure_code: null,
          failure_reason: null,
        }));
      },
    ),

    /**
     * Finance's side brought in line with the bank's: the bank has the voucher, so it is accepted —
     * found so at the look (`align`, the plan's align list), or after a resend whose
     * acknowledgement was lost (`confirm`, the plan's resend list).
     */
    alignVoucherStatus: requiresProof(
      (input: {
        bank: string;
        vouchers: PlannedVoucher[];
        as: 'align' | 'confirm';
        list: ListPlace & { part: string[] };
      }) => [
        input.as === 'align'
          ? listAction(alignCommand(input.bank), 'align', input.vouchers, input.list)
          : listAction(confirmCommand(input.bank), 'resend', input.vouchers, input.list),
      ],
      async (input): Promise<RowChange[]> => {
        requireBank(site, input.bank);
        return setWhereUnchanged(db, now, input.bank, input.vouchers, 'accepted', (at) => ({
          accepted_at: at,
          failure_code: null,
          failure_reason: null,
        }));
      },
    ),

    /** Finance's current status of each voucher. */
    async voucherStates(input: { bank: string; voucherNos: string[] }): Promise<VoucherState[]> {
      return statesOf(db, input.bank, input.voucherNos);
    },

    /**
     * Finance's status of each voucher once every one has settled (the bank accepted, paid or
     * rejected it, or it timed out), or as it is at `until` or after `waitSeconds` of looking,
     * whichever comes first: the resend's verification watches the program apply the bank's
     * answers here, a look every `everyMs`, heartbeating, instead of a workflow timer and an
     * activity per look.
     */
    async awaitSettledVoucherStates(input: {
      bank: string;
      voucherNos: string[];
      until: string;
      waitSeconds: number;
      everyMs: number;
    }): Promise<VoucherState[]> {
      const ctx = Context.current();
      const stop = Math.min(Date.parse(input.until), Date.now() + input.waitSeconds * 1000);
      for (;;) {
        const states = await statesOf(db, input.bank, input.voucherNos);
        if (states.every((s) => settledStatuses.has(s.status)) || Date.now() >= stop) return states;
        ctx.heartbeat();
        await ctx.sleep(Math.max(1, Math.min(input.everyMs, stop - Date.now())));
      }
    },
  };
}

/** Finance's status of a voucher as the resend reads it. */
export interface VoucherState {
  voucherNo: string;
  status: string;
  updatedAt: string;
  failureCode: string | null;
}

/** Where a resent voucher's verification ends: the bank's answer has reached finance. */
const settledStatuses = new Set(['accepted', 'paid', 'rejected', 'timed_out']);

async function statesOf(db: Db, bank: string, voucherNos: string[]): Promise<VoucherState[]> {
  const states = await currentStates(db, bank, voucherNos);
  return voucherNos.map((no) => {
    const s = states.get(no);
    return {
      voucherNo: no,
      status: s?.status ?? 'missing',
      updatedAt: s?.updated_at ?? '',
      failureCode: s?.failure_code ?? null,
    };
  });
}

/** A bulk change over vouchers of one of the plan's lists, as the proof check sees it. */
function listAction(
  command: string,
  list: 'resend' | 'align',
  vouchers: PlannedVoucher[],
  place: ListPlace & { part: string[] },
): ProofAction {
  return {
    kind: 'sql',
    target: 'treasury',
    command,
    list,
    items: vouchers.map((v) => v.voucherNo),
    membership: place,
  };
}

/**
 * In one transaction, moves each planned voucher still as the plan saw it (same status and
 * updated_at) to `status` with `fields`, then reads back what each row now is: a retried call
 * changes nothing twice and still reports every voucher's current status.
 */
async function setWhereUnchanged(
  db: Db,
  now: () => Date,
  bank: string,
  vouchers: PlannedVoucher[],
  status: VoucherStatus,
  fields: (at: string) => Updateable<TreasuryDatabase['vouchers']>,
): Promise<RowChange[]> {
  return db.transaction().execute(async (trx) => {
    const at = now().toISOString();
    const out: RowChange[] = [];
    for (const v of vouchers) {
      const res = await trx
        .updateTable('vouchers')
        .set({ status, ...fields(at), updated_at: at })
        .where('voucher_no', '=', v.voucherNo)
        .where('bank_code', '=', bank)
        .where('status', '=', v.status)
        .where('updated_at', '=', v.updatedAt)
        .executeTakeFirst();
      out.push({ voucherNo: v.voucherNo, changed: res.numUpdatedRows === 1n, status });
    }
    const states = await currentStates(
      trx,
      bank,
      vouchers.map((v) => v.voucherNo),
    );
    return out.map((o) => ({ ...o, status: states.get(o.voucherNo)?.status ?? 'missing' }));
  });
}

/**
 * The bank's vouchers among `voucherNos` as they are now: looked up by voucher number (the primary
 * key) and the bank checked here, since with the bank in the query SQLite scans all its vouchers.
 */
async function currentStates(db: Db, bank: string, voucherNos: string[]) {
  if (voucherNos.length === 0)
    return new Map<string, { status: string; updated_at: string; failure_code: string | null }>();
  const rows = await db
    .selectFrom('vouchers')
    .select(['voucher_no', 'bank_code', 'status', 'updated_at', 'failure_code'])
    .where('voucher_no', 'in', voucherNos)
    .execute();
  return new Map(rows.filter((r) => r.bank_code === bank).map((r) => [r.voucher_no, r]));
}
