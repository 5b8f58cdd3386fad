/**
 * Builds the workers of one process: which task queues it serves is a deployment choice (one
 * process for everything in the embedded default; one per network zone at a real site), the
 * activities each queue carries are not.
 */
import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { type NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createAccessActivities } from '../activities/access.ts';
import { createApprovalActivities } from '../activities/approvals.ts';
import { createRequesterActivities } from '../activities/requester.ts';
import { createAuditActivities } from '../activities/audit.ts';
import { createBankOnboardingDbActivities } from '../activities/bank-onboarding-db.ts';
import { createBankOnboardingMqActivities } from '../activities/bank-onboarding-mq.ts';
import { createBankRegistryActivities } from '../activities/bank-registry.ts';
import { createBankCheckActivities } from '../activities/bank-checks/index.ts';
import { createBankQuestionActivities } from '../activities/bank-questions.ts';
import { createControlActivities } from '../activities/control.ts';
import { createDataFixActivities } from '../activities/data-fix.ts';
import { createNotifyActivities } from '../activities/notify.ts';
import { createHostActivities } from '../activities/host.ts';
import { createProgramActivities } from '../activities/programs.ts';
import { createSubsystemActivities } from '../activities/subsystems.ts';
import { createExchangeActivities } from '../activities/exchange.ts';
import { createExchangeItemActivities } from '../activities/exchange-items.ts';
import { createProcurementCloudActivities } from '../activities/procurement-cloud.ts';
import { createProcurementItemActivities } from '../activities/procurement-items.ts';
import { createSubsystemWorkActivities } from '../activities/subsystem-work.ts';
import { createPayrollActivities } from '../activities/payroll.ts';
import { createOfficialCardActivities } from '../activities/official-card.ts';
import { createBulkInspectionActivities } from '../activities/inspection-bulk.ts';
import { createLockActivities } from '../activities/locks.ts';
import { createMqActivities } from '../activities/mq.ts';
import { createChannelSequenceActivities } from '../activities/channel-sequence.ts';
import { createMessageSerialActivities } from '../activities/message-serials.ts';
import { createStatementActivities } from '../activities/statements/index.ts';
import { createTreasuryActivities } from '../activities/treasury.ts';
import { createCalendarActivities } from '../activities/calendar.ts';
import { createVoucherActivities } from '../activities/vouchers.ts';
import { createMigrationDbActivities } from '../activities/migration-db.ts';
import { createMigrationHostActivities } from '../activities/migration-host.ts';
import { createUpgradeDbActivities } from '../activities/upgrade-db.ts';
import { createUpgradeHostActivities } from '../activities/upgrade-host.ts';
import { createYearEndBookActivities } from '../activities/year-end-books.ts';
import { createYearEndChangeActivities } from '../activities/year-end-changes.ts';
import { createYearEndNoticeActivities } from '../activities/year-end-notices.ts';
import { openNonceLedger } from '../connectors/approvals/nonce-ledger.ts';
import { loadSignerKeys } from '../connectors/approvals/signing-keys.ts';
import { openAuditDb } from '../connectors/audit/database.ts';
import { createSiteAuditWriter } from '../connectors/audit/site-audit.ts';
import { createSiteCalendar } from '../connectors/calendar/site-calendar.ts';
import { createDataConverter } from '../connectors/codec/data-converter.ts';
import { payloadKeysFromEnv } from '../connectors/codec/payload-keys.ts';
import { createSealer } from '../connectors/codec/sealed-json.ts';
import { createSiteHosts } from '../connectors/host/site-hosts.ts';
import { createMqAdmin } from '../connectors/mq/create-mq-admin.ts';
import { meteredMqAdmin } from '../connectors/mq/metered-mq-admin.ts';
import { createNotifier } from '../connectors/notify/create-notifier.ts';
import { createCurrentRunReader } from '../connectors/temporal/current-run.ts';
import { createRunFactsReader } from '../connectors/temporal/run-facts.ts';
import { createLocalUserStore } from '../connectors/users/local-store.ts';
import { openTreasuryDb } from '../connectors/treasury/database.ts';
import type { RunFacts } from '../connectors/temporal/run-facts.ts';
import { durationMs } from '../domain/durations.ts';
import { declaredPrograms, type SiteConfig } from '../temporal.config.ts';
import {
  runbookEntries,
  workflowTypes as projectWorkflowTypes,
  withFreezeExemptions,
  withRunbookApprovals,
} from '../workflows/catalog.ts';
import { activityGuard } from './activity-guard.ts';
import { createLockCheck } from './lock-check.ts';
import { createProofChecker } from './proof-check.ts';
import { workflowBundlerOptions, workflowInterceptorModules, workflowsPath } from './workflow-bundle.ts';
import { showBankCountersAtZero, watchApprovalsWaiting } from './worker-metrics.ts';

export const zones = ['runbooks', 'comm', 'db'] as const;
export type Zone = (typeof zones)[number];

export interface ZoneWorkers {
  workers: Worker[];
  /** Releases connectors (database pools) once the workers have stopped. */
  close(): Promise<void>;
}

export async function createWorkers(options: {
  site: SiteConfig;
  connection: NativeConnection;
  zones: readonly Zone[];
  log: Logger;
  /** A prebuilt bundle must carry the data converter's `failureConverterPath` (bundleWorkflowCode). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Default: the payload codec with the keys in the site's `codec.keysEnv` (a missing key fails here). */
  dataConverter?: DataConverter;
}): Promise<ZoneWorkers> {
  const { connection, log } = options;
  const site = withFreezeExemptions(withRunbookApprovals(options.site));
  const dataConverter = options.dataConverter ?? createDataConverter(payloadKeysFromEnv(site.codec.keysEnv));
  const namespace = site.temporal.namespace;
  const queues = site.temporal.taskQueues;
  const workers: Worker[] = [];
  // One calendar for every zone: its folder is read afresh on each question.
  const calendar = createSiteCalendar(site.calendar);
  const closers: (() => Promise<void>)[] = [];
  // The process's Prometheus endpoint when workers/telemetry.ts installed one; a no-op meter otherwise.
  const meter = Runtime.instance().metricMeter;

  // Every zone acts on approvals or records them: one audit store (its writer signs what it
  // appends: the runs' records, the proofs' first uses), nonce ledger and user directory for
  // the guard, and Temporal's own word on which run scheduled each activity.
  const auditDb = await openAuditDb(site.audit);
  closers.push(() => auditDb.destroy());
  const auditWriter = createSiteAuditWriter(auditDb, site.audit);
  const signers = loadSignerKeys(site.approvals);
  const users = createLocalUserStore(site.approvals.users.file);
  const runs = createRunFactsReader(connection.workflowService, namespace);
  const current = createCurrentRunReader(connection.workflowService, namespace);
  const workflowTypes = new Set(projectWorkflowTypes());
  const isProjectRun = (f: RunFacts) => f.taskQueue === queues.runbooks && workflowTypes.has(f.workflowType);
  const ledger = await openNonceLedger(auditDb);
  const proofs = createProofChecker({
    site,
    signers,
    users,
    ledger,
    audit: auditWriter,
    runs,
    locks: createLockCheck(current, queues.runbooks),
    isProjectRun,
  });
  const create = (
    taskQueue: string,
    activities: Record<string, unknown>,
    more: Partial<WorkerOptions> = {},
    workflowModules: string[] = [],
  ) =>
    Worker.create({
      connection,
      namespace,
      dataConverter,
      taskQueue,
      activities,
      ...more,
      interceptors: {
        workflowModules,
        activity: [
          activityGuard({
            namespace,
            runs,
            isProjectRun,
            log,
            activities,
            proofs,
            audit: { signers, db: auditDb, ledger },
          }),
        ],
      },
    });

  for (const zone of options.zones) {
    if (zone === 'runbooks') {
      // The runbooks queue also carries what every run records of itself (approval policy, its
      // requester's start assertion, audit trail, notifications) and its resource locks.
      const client = new Client({ connection, namespace, dataConverter });
      if (site.metrics.enabled) {
        const runbooks = runbookEntries().map((e) => e.id);
        const everyMs = durationMs(site.metrics.approvalsEvery);
        closers.push(watchApprovalsWaiting({ client, meter, runbooks, everyMs, log }));
      }
      workers.push(
        await create(
          queues.runbooks,
          {
            ...createControlActivities({ site }),
            ...createApprovalActivities({ site, users, signers }),
            ...createRequesterActivities({ site, signers, ledger, runs, log }),
            ...createAuditActivities({ audit: auditWriter }),
            ...createLockActivities({ site, client, current, runs, isProjectRun, audit: auditWriter, log }),
            ...createNotifyActivities({ notifier: createNotifier(site.notify.targets, log) }),
            ...createBankRegistryActivities({ site }),
            ...createCalendarActivities({ site, calendar }),
          },
          {
            // The SDK sizes its cache from the heap limit and gives a worker whose heap is bounded
            // (the production unit's) ten runs, fewer than one resend keeps at work; a hundred
            // cached runs stay well inside that heap.
            maxCachedWorkflows: 100,
            ...(options.workflowBundle
              ? { workflowBundle: options.workflowBundle }
              : { workflowsPath, bundlerOptions: workflowBundlerOptions }),
          },
          // A prebuilt bundle has them built in (scripts/build.ts).
          options.workflowBundle ? [] : workflowInterceptorModules,
        ),
      );
    } else if (zone === 'comm') {
      const host = createSiteHosts({ hosts: site.hosts, programs: declaredPrograms(site) });
      closers.push(() => host.close());
      const mq = meteredMqAdmin(createMqAdmin(site.mq), meter);
      workers.push(
        await create(queues.comm, {
          ...createMqActivities({ mq, site }),
          ...createChannelSequenceActivities({ mq, site }),
          ...createHostActivities({ host, site }),
          ...createBulkInspectionActivities({ mq, host, site }),
          ...createBankOnboardingMqActivities({ mq, host, site }),
          ...createUpgradeHostActivities({ host, site }),
          ...createMigrationHostActivities({ host, site }),
          ...createProgramActivities({ host, site }),
          ...createSubsystemActivities({ host, site }),
          ...createExchangeActivities({ host, site }),
          ...createProcurementCloudActivities({ site }),
        }),
      );
    } else {
      const db = await openTreasuryDb(site.treasury);
      closers.push(() => db.destroy());
      showBankCountersAtZero(
        meter,
        site.banks.map((b) => b.code),
      );
      workers.push(
        await create(
          queues.db,
          {
            ...createTreasuryActivities({ db, site, calendar }),
            ...createMessageSerialActivities({ db, site }),
            ...createBankOnboardingDbActivities({ db }),
            ...createVoucherActivities({ db, site }),
            ...createBankCheckActivities({ db, site, calendar }),
            ...createBankQuestionActivities({ db, site }),
            ...createYearEndBookActivities({ db, site }),
            ...createYearEndNoticeActivities({ db, site }),
            ...createYearEndChangeActivities({ db, site }),
            ...createStatementActivities({ db, site, calendar }),
            ...createUpgradeDbActivities({ db, site }),
            ...createMigrationDbActivities({ site }),
            ...createSubsystemWorkActivities({ db, site }),
            ...createDataFixActivities({ db, sealer: createSealer(payloadKeysFromEnv(site.codec.keysEnv)) }),
            ...createAccessActivities({ db }),
            ...createExchangeItemActivities({ db, site }),
            ...createProcurementItemActivities({ db }),
            ...createPayrollActivities({ db, site }),
            ...createOfficialCardActivities({ db, site }),
          },
          // A long comparison's checkpoint reaches Temporal within a second of its heartbeat (the
          // SDK's default is 80 % of the heartbeat timeout), so a retry after a crash loses little.
          { maxHeartbeatThrottleInterval: '1 second' },
        ),
      );
    }
    log.info({ zone, taskQueue: queues[zone] }, 'worker ready');
  }
  return {
    workers,
    close: async () => {
      await Promise.all(closers.map((c) => c()));
    },
  };
}
