/**
 * Db-zone activities for adding an agent bank, through Kysely (SQLite and Oracle alike): what the
 * treasury database knows of the bank and of finance's base data; the agent bank row and its
 * base-data version rows; the base-data pushes and the test status query the send/receive
 * program carries to the bank (base_data_pushes, bank_queries), and what became of them. Every
 * insert is keyed and looks first, so a retried or re-run step finds its row and leaves it.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { TreasuryDb } from '../connectors/treasury/database.ts';
import { baseDataKinds, type BaseDataKind } from '../domain/base-data.ts';
import { ErrorKind } from '../domain/errors.ts';
import { sql as planSql } from '../domain/runbooks/add-agent-bank.plan.ts';
import type {
  BaseDataPushState,
  TreasurySteps,
  TreasurySurvey,
} from '../domain/runbooks/add-agent-bank.types.ts';
import { fileQuestions } from './bank-questions.ts';
import { requiresProof, sqlAction } from './proof-actions.ts';

export interface DbAction {
  command: string;
  detail: string;
  /** The row was there already (a repeat after a lost reply): nothing inserted. */
  alreadyDone: boolean;
}

const baseDataTables = {
  budget_unit: 'budget_units',
  payee_account: 'payee_accounts',
  subject: 'budget_subjects',
} as const;

export function createBankOnboardingDbActivities({
  db,
  now = () => new Date(),
}: {
  db: TreasuryDb;
  now?: () => Date;
}) {
  return {
    async surveyNewBankTreasury({ code }: { code: string }): Promise<TreasurySurvey> {
      const agent = await db
        .selectFrom('agent_banks')
        .select(['name', 'active', 'created_at'])
        .where('code', '=', code)
        .executeTakeFirst();
      const versions = await db
        .selectFrom('base_data_versions')
        .select(['kind', 'version_current', 'version_sent', 'version_acked'])
        .where('bank_code', '=', code)
        .execute();
      const baseData = {} as TreasurySurvey['baseData'];
      for (const kind of baseDataKinds) {
        const row = await db
          .selectFrom(baseDataTables[kind])
          .select((eb) => [
            eb.fn.max<number>('version').as('version'),
            eb.fn.countAll<number>().as('records'),
          ])
          .executeTakeFirstOrThrow();
        baseData[kind] = { version: Number(row.version ?? 0), records: Number(row.records) };
      }
      return {
        agentBank: agent
          ? { name: agent.name, active: Number(agent.active), createdAt: agent.created_at }
          : null,
        versions: versions.map((v) => ({
          kind: v.kind,
          current: Number(v.version_current),
          sent: Number(v.version_sent),
          acked: Number(v.version_acked),
        })),
        baseData,
      };
    },

    /** The agent bank row and its base-data version rows, each inserted only when absent. */
    registerAgentBank: requiresProof(
      // The bank's row only when absent: a plan made while it existed does not list its insert.
      async ({
        code,
        name,
        versions,
      }: {
        code: string;
        name: string;
        versions: TreasurySteps['insertVersions'];
      }) => {
        const row = await db
          .selectFrom('agent_banks')
          .select('code')
          .where('code', '=', code)
          .executeTakeFirst();
        return [
          ...(row ? [] : [sqlAction(planSql.agentBank({ code, name }))]),
          ...versions.map((v) => sqlAction(planSql.versions(code, v.kind, v.version))),
        ];
      },
      async ({ code, name, versions }): Promise<DbAction[]> => {
        const at = now().toISOString();
        return db.transaction().execute(async (trx) => {
          const done: DbAction[] = [];
          const existing = await trx
            .selectFrom('agent_banks')
            .select('name')
            .where('code', '=', code)
            .executeTakeFirst();
          if (existing && existing.name !== name) {
            throw ApplicationFailure.create({
              type: ErrorKind.UnexpectedState,
              nonRetryable: true,
              message: `agent_banks already holds ${code} as "${existing.name}", not "${name}"`,
            });
          }
          const command = planSql.agentBank({ code, name });
          if (existing) done.push({ command, detail: '已存在，未重复插入', alreadyDone: true });
          else {
            await trx.insertInto('agent_banks').values({ code, name, active: 1, created_at: at }).execute();
            done.push({ command, detail: '已插入 1 行', alreadyDone: false });
          }
          for (const v of versions) {
            const row = await trx
              .selectFrom('base_data_versions')
              .select('kind')
              .where('bank_code', '=', code)
              .where('kind', '=', v.kind)
              .executeTakeFirst();
            const command = planSql.versions(code, v.kind, v.version);
            if (row) done.push({ command, detail: '已存在，未重复插入', alreadyDone: true });
            else {
              await trx
                .insertInto('base_data_versions')
                .values({
                  bank_code: code,
                  kind: v.kind,
                  version_current: v.version,
                  version_sent: 0,
                  version_acked: 0,
                  updated_at: at,
                })
                .execute();
              done.push({ command, detail: '已插入 1 行', alreadyDone: false });
            }
          }
          return done;
        });
      },
    ),

    /** Asks the send/receive program to push base data to the bank, one row per kind, keyed by push id. */
    requestOnboardingPushes: requiresProof(
      ({ code, pushes }: { code: string; pushes: TreasurySteps['pushes'] }) =>
        pushes.map((p) => sqlAction(planSql.push(code, p))),
      async ({ code, pushes }): Promise<DbAction[]> => {
        const at = now().toISOString();
        return db.transaction().execute(async (trx) => {
          const done: DbAction[] = [];
          for (const p of pushes) {
            const command = planSql.push(code, p);
            const row = await trx
              .selectFrom('base_data_pushes')
              .select('status')
              .where('push_id', '=', p.pushId)
              .executeTakeFirst();
            if (row) done.push({ command, detail: `已存在（${row.status}），未重复插入`, alreadyDone: true });
            else {
              await trx
                .insertInto('base_data_pushes')
                .values({
                  push_id: p.pushId,
                  bank_code: code,
                  kind: p.kind,
                  version: p.version,
                  status: 'pending_send',
                  requested_at: at,
                  sent_at: null,
                  answered_at: null,
                  answer_reason: null,
                })
                .execute();
              done.push({ command, detail: '已插入 1 行，待收发程序发送', alreadyDone: false });
            }
          }
          return done;
        });
      },
    ),

    async onboardingPushStates({
      code,
      pushes,
    }: {
      code: string;
      pushes: TreasurySteps['pushes'];
    }): Promise<BaseDataPushState[]> {
      if (pushes.length === 0) return [];
      const rows = await db
        .selectFrom('base_data_pushes')
        .select(['push_id', 'status', 'answer_reason'])
        .where(
          'push_id',
          'in',
          pushes.map((p) => p.pushId),
        )
        .execute();
      const versions = await db
        .selectFrom('base_data_versions')
        .select(['kind', 'version_acked'])
        .where('bank_code', '=', code)
        .execute();
      return pushes.map((p) => {
        const row = rows.find((r) => r.push_id === p.pushId);
        return {
          pushId: p.pushId,
          kind: p.kind,
          version: p.version,
          status: row?.status ?? 'missing',
          acked: Number(versions.find((v) => v.kind === (p.kind as BaseDataKind))?.version_acked ?? 0),
          reason: row?.answer_reason ?? null,
        };
      });
    },

    /** The test message: a status query the program sends out of band (activities/bank-questions.ts). */
    requestOnboardingTestQuery: requiresProof(
      ({ code, query }: { code: string; query: TreasurySteps['testQuery'] }) => [
        sqlAction(planSql.query(code, query)),
      ],
      async ({ code, query }): Promise<DbAction> => {
        const filed = await fileQuestions(db, code, [query], now().toISOString());
        return {
          command: planSql.query(code, query),
          detail: filed ? '已插入 1 行，待收发程序发送' : '已存在，未重复插入',
          alreadyDone: !filed,
        };
      },
    ),
  };
}
