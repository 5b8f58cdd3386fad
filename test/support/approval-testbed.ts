/**
 * Everything an approval test needs, real all the way: a Temporal server (testTemporal), a site
 * built from the committed one with its approvals, inbox, audit and notify paths moved into a
 * temporary folder, a user store with known passwords, a fresh signing key pair, a worker that
 * runs approval-gated workflows with the approval, requester, audit and notify activities, and the inbox
 * itself on a free port. The inbox tests use the fixture runbook under test/inbox/fixtures/;
 * other runbooks' tests pass their own workflows and activities.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createApprovalActivities } from '../../activities/approvals.ts';
import { createRequesterActivities } from '../../activities/requester.ts';
import { createAuditActivities } from '../../activities/audit.ts';
import { createNotifyActivities } from '../../activities/notify.ts';
import {
  ensureSigningKeyPair,
  loadSignerKeys,
  loadSigningKey,
} from '../../connectors/approvals/signing-keys.ts';
import { openNonceLedger } from '../../connectors/approvals/nonce-ledger.ts';
import { openAuditDb, type AuditDb } from '../../connectors/audit/database.ts';
import { createSiteAuditWriter } from '../../connectors/audit/site-audit.ts';
import { createLogger } from '../../connectors/logging/logger.ts';
import { createNotifier } from '../../connectors/notify/create-notifier.ts';
import { createRunFactsReader } from '../../connectors/temporal/run-facts.ts';
import type { DirectoryUser, UserDirectory } from '../../connectors/users/directory.ts';
import { createLocalUserStore } from '../../connectors/users/local-store.ts';
import type { ApprovalPlan, ApprovalState } from '../../domain/approvals/gate-types.ts';
import { createAuditDecisionHistory } from '../../inbox/history.ts';
import { startInbox, type InboxHandle, type InboxOptions } from '../../inbox/server.ts';
import { connectClient } from '../../scripts/lib/client.ts';
import { freePort } from '../../scripts/lib/free-port.ts';
import { loadSite, type ApprovalPolicyConfig, type SiteConfig } from '../../temporal.config.ts';
import { approvalStateQuery } from '../../workflows/shared/approval-definitions.ts';
import type { approvalFixture, ApprovalFixtureInput } from '../inbox/fixtures/approval-fixture.ts';
import { testAuditSection } from './audit-site.ts';
import { testDataConverter } from './codec.ts';
import { signedStartMemo } from './signed-starts.ts';
import { testTemporal, type TestTemporal } from './temporal.ts';
import { testWorkflowBundle } from './test-build.ts';

export interface Person extends DirectoryUser {
  password: string;
}

/** The people of every testbed: a requester, two finance approvers, a director, an outsider. */
export const people = {
  requester: { id: 'zhang.wei', displayName: '张伟', roles: ['engineer'] },
  approver: { id: 'li.na', displayName: '李娜', roles: ['finance-approver'] },
  approver2: { id: 'wang.fang', displayName: '王芳', roles: ['finance-approver', 'engineer'] },
  director: { id: 'chen.jing', displayName: '陈静', roles: ['finance-director'] },
  outsider: { id: 'zhao.lei', displayName: '赵磊', roles: ['comm-approver'] },
} as const satisfies Record<string, DirectoryUser>;
export type PersonName = keyof typeof people;

/** A plan as a channel recovery would show it, with vouchers to check money and masking. */
export function samplePlan(overrides: Partial<ApprovalPlan> = {}): ApprovalPlan {
  return {
    runbook: 'inbox-fixture',
    title: { zh: '重启工商银行发送通道 CZ.TO.ICBC', en: 'Restart the sender channel CZ.TO.ICBC to ICBC' },
    bank: { code: 'ICBC', name: '中国工商银行' },
    channel: 'CZ.TO.ICBC',
    findings: [
      {
        zh: '发送通道处于 RETRYING 状态已 25 分钟',
        en: 'The sender channel has been RETRYING for 25 minutes',
      },
      { zh: '传输队列积压 37 条报文', en: '37 messages are waiting on the transmission queue' },
    ],
    actions: [
      {
        kind: 'mqsc',
        target: 'QM.CZ',
        command: 'STOP CHANNEL(CZ.TO.ICBC) MODE(QUIESCE)',
        description: {
          zh: '停止发送通道（等待当前批次完成）',
          en: 'Stop the sender channel after the current batch',
        },
      },
      {
        kind: 'mqsc',
        target: 'QM.CZ',
        command: 'START CHANNEL(CZ.TO.ICBC)',
        description: { zh: '启动发送通道', en: 'Start the sender channel' },
      },
    ],
    vouchers: [
      {
        voucherNo: 'ZF2026112700017',
        amountFen: 123456,
        payeeName: '张*丰',
        payeeAccount: '6222020200112233445',
      },
      {
        voucherNo: 'ZF2026112700018',
        amountFen: 100000000,
        payeeName: '某某科技有限公司',
        payeeAccount: '****9981',
      },
    ],
    ...overrides,
  };
}

export interface ApprovalTestbed {
  site: SiteConfig;
  dir: string;
  temporal: TestTemporal;
  client: Client;
  auditDb: AuditDb;
  inbox: InboxHandle;
  taskQueue: string;
  /** Each person with their password. */
  people: Record<PersonName, Person>;
  /**
   * Starts the fixture runbook; resolves once its approval is pending and listed — or, `unsigned`
   * (started straight on Temporal, no front door's start assertion), once it waits to be claimed.
   */
  startFixtureRun(options?: {
    requestedBy?: string;
    plan?: ApprovalPlan;
    unsigned?: boolean;
  }): Promise<WorkflowHandle<typeof approvalFixture>>;
  /** Polls the run's approvalState until `until` holds (default: an approval is pending). */
  waitForState(workflowId: string, until?: (s: ApprovalState) => boolean): Promise<ApprovalState>;
  /** Polls visibility until the run is (or is no longer) listed as pending approval. */
  waitForListed(workflowId: string, listed?: boolean): Promise<void>;
  stop(): Promise<void>;
}

export async function startApprovalTestbed(
  options: {
    /** More activities for the worker (e.g. a runbook's MQ activities). */
    activities?: object;
    /** Per-runbook approval policies (site `approvals.runbooks`). */
    runbooks?: Record<string, Partial<ApprovalPolicyConfig>>;
    /** Last changes to the site before anything starts. */
    editSite?: (site: SiteConfig) => SiteConfig;
    throttle?: InboxOptions['throttle'];
    codecHandler?: InboxOptions['codecHandler'];
    /** Wraps the user directory the inbox signs people in with (e.g. to count password checks). */
    wrapUsers?: (users: UserDirectory) => UserDirectory;
    /** A Temporal server of the test's own (e.g. one with its Web UI), stopped with the testbed; default the suite's. */
    temporal?: TestTemporal;
    /** The inbox's port, when the test must know it first (e.g. for the Web UI's codec endpoint). */
    port?: number;
  } = {},
): Promise<ApprovalTestbed> {
  const temporal = options.temporal ?? (await testTemporal());
  const dir = mkdtempSync(join(tmpdir(), 'jincai-approvals-'));
  const suffix = randomUUID().slice(0, 8);
  const taskQueue = `approvals-${suffix}`;
  const dataConverter = testDataConverter();
  const log = createLogger('approval-testbed', process.env.LOG_LEVEL ?? 'error');
  const stops: (() => Promise<void>)[] = [() => temporal.stop()];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const port = options.port ?? (await freePort());
    const base = loadSite();
    const keyFile = join(dir, 'secrets', 'approval-signing.key');
    const pubFile = join(dir, 'secrets', 'approval-signing.pub');
    ensureSigningKeyPair(keyFile, pubFile);
    let site: SiteConfig = {
      ...base,
      temporal: {
        ...base.temporal,
        address: temporal.address,
        namespace: temporal.namespace,
        ...(temporal.tls && { tls: temporal.tls }),
        taskQueues: { runbooks: taskQueue, comm: `comm-${suffix}`, db: `db-${suffix}` },
      },
      approvals: {
        ...base.approvals,
        signers: [{ keyId: `test-${suffix}`, publicKeyFile: pubFile }],
        signingKey: { keyId: `test-${suffix}`, privateKeyFile: keyFile },
        users: { adapter: 'local', file: join(dir, 'secrets', 'users.json') },
        runbooks: Object.fromEntries(
          Object.entries(options.runbooks ?? {}).map(([name, policy]) => [name, { ...policy, steps: {} }]),
        ),
      },
      inbox: {
        ...base.inbox,
        port,
        publicUrl: `http://localhost:${port}`,
        secureCookies: true,
        sessionMinutes: 30,
        language: 'zh',
      },
      audit: testAuditSection(dir),
      notify: { targets: [{ type: 'file', path: join(dir, 'notifications.jsonl') }] },
      reports: { dir: join(dir, 'reports') },
    };
    site = options.editSite?.(site) ?? site;

    const users = createLocalUserStore(site.approvals.users.file);
    const withPasswords = {} as Record<PersonName, Person>;
    for (const [name, person] of Object.entries(people) as [PersonName, DirectoryUser][]) {
      const password = `pw-${name}-${suffix}`;
      await users.put({ ...person, roles: [...person.roles] }, password);
      withPasswords[name] = { ...person, roles: [...person.roles], password };
    }

    const auditDb = await openAuditDb(site.audit);
    stops.push(() => auditDb.destroy());
    const client = await connectClient(site);
    stops.push(() => client.connection.close());

    const nc = await NativeConnection.connect(temporal.connectionOptions());
    stops.push(() => nc.close());
    const worker = await Worker.create({
      connection: nc,
      namespace: site.temporal.namespace,
      taskQueue,
      workflowBundle: await testWorkflowBundle('approval-fixture'),
      dataConverter,
      activities: {
        ...createApprovalActivities({ site, users, signers: loadSignerKeys(site.approvals) }),
        ...createRequesterActivities({
          site,
          signers: loadSignerKeys(site.approvals),
          ledger: await openNonceLedger(auditDb),
          runs: createRunFactsReader(nc.workflowService, site.temporal.namespace),
          log,
        }),
        ...createAuditActivities({ audit: createSiteAuditWriter(auditDb, site.audit) }),
        ...createNotifyActivities({ notifier: createNotifier(site.notify.targets, log) }),
        ...options.activities,
      },
    });
    const running = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await running;
    });

    const inbox = await startInbox({
      site,
      client,
      users: options.wrapUsers?.(users) ?? users,
      signingKey: loadSigningKey(site.approvals),
      port,
      log,
      history: createAuditDecisionHistory(auditDb),
      ...(options.throttle && { throttle: options.throttle }),
      ...(options.codecHandler && { codecHandler: options.codecHandler }),
    });
    stops.push(() => inbox.stop());

    let runs = 0;
    const waitForState = async (workflowId: string, until = (s: ApprovalState) => s.pending !== null) => {
      const handle = client.workflow.getHandle(workflowId);
      let last: unknown;
      for (let i = 0; i < 300; i++) {
        try {
          const s = await handle.query(approvalStateQuery);
          if (until(s)) return s;
          last = s;
        } catch (err) {
          last = err;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(
        `${workflowId} never reached the expected approval state; last: ${String(JSON.stringify(last))}`,
      );
    };
    const waitForListed = async (workflowId: string, listed = true) => {
      const query = `WorkflowId = "${workflowId}" AND PendingApproval = true`;
      for (let i = 0; i < 300; i++) {
        let found = false;
        for await (const _ of client.workflow.list({ query })) found = true;
        if (found === listed) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${workflowId} never ${listed ? 'appeared in' : 'left'} the pending-approval search`);
    };

    return {
      site,
      dir,
      temporal,
      client,
      auditDb,
      inbox,
      taskQueue,
      people: withPasswords,
      waitForState,
      waitForListed,
      async startFixtureRun(run = {}) {
        const input: ApprovalFixtureInput = {
          requestedBy: run.requestedBy ?? people.requester.id,
          bankCode: 'ICBC',
          plan: run.plan ?? samplePlan(),
        };
        const workflowId = `inbox-fixture/${suffix}/${++runs}`;
        const start = {
          workflowType: 'approvalFixture',
          workflowId,
          taskQueue,
          input,
          user: input.requestedBy,
        };
        const handle = await client.workflow.start<typeof approvalFixture>('approvalFixture', {
          taskQueue,
          workflowId,
          args: [input],
          ...(!run.unsigned && { memo: signedStartMemo(site, start) }),
        });
        if (run.unsigned) {
          await waitForState(handle.workflowId, (s) => s.awaitingClaim);
          return handle;
        }
        await waitForState(handle.workflowId);
        await waitForListed(handle.workflowId);
        return handle;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
