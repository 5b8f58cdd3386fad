/**
 * Attack: activities injected from outside (issue 7, attack 2). With only the Temporal gRPC port,
 * a rogue runs workers of its own: one on a task queue of its own, with plaintext payloads and
 * with payloads encrypted under the site's key; one polling the runbooks queue itself with a
 * workflow type named like ours. Each schedules every activity of the project that changes
 * production or money — and the audit activity with a forged decision and a forged mutation —
 * on the real workers' task queues, against real vouchers and channels. Nothing changes: the MQ
 * commands, the treasury rows, the bank's books, the site's bank files and the audit trail are as
 * they were; each refusal is in the workers' logs.
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { decisionNonce, signDecision } from '../../connectors/approvals/signing-keys.ts';
import { openAuditDb } from '../../connectors/audit/database.ts';
import { planDigest } from '../../domain/approvals/decision.ts';
import type { ApprovalPlan } from '../../domain/approvals/gate-types.ts';
import type { ApprovalProof } from '../../domain/approvals/proof.ts';
import { bankInQueue } from '../../sandbox/bank/agent-bank.ts';
import { localDate } from '../../sandbox/calendar.ts';
import { testDataConverter } from '../support/codec.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import { loggedWorkers, type LoggedWorkers } from '../support/logged-workers.ts';
import { captureSdkLog } from '../support/sdk-log.ts';
import type { RogueCall, RogueOutcome } from './fixtures/rogue.ts';
import { patienceMs } from '../support/patience.ts';

// What the SDK itself logs (an activity whose input the worker cannot read), as workers/main.ts routes it.
const sdkLines = captureSdkLog();

let estate: TestEstate;
let nc: NativeConnection;
let real: LoggedWorkers;
const closers: (() => Promise<void>)[] = [];
const fixture = (f: string) => fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url));

before(async () => {
  estate = await startTestEstate({ banks: ['ICBC', 'RCB'], programs: false });
  nc = await NativeConnection.connect({ address: estate.temporal.address });
  real = loggedWorkers(estate, nc);
  await inFlightTaken();
});

/**
 * The messages in flight when the sandbox started are put back on each bank's PAY.IN and paid as
 * the banks take them: the baseline is read only once they are, or their payments would count as
 * the rogue's.
 */
async function inFlightTaken(): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const waiting = estate.site.banks.reduce(
      (n, b) => n + estate.sandbox.estate.depth(b.qmgr, bankInQueue),
      0,
    );
    if (waiting === 0) {
      const payments = JSON.stringify((await estateState()).payments);
      await new Promise((r) => setTimeout(r, 500));
      if (JSON.stringify((await estateState()).payments) === payments) return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the banks did not take the messages in flight at start');
}
after(async () => {
  await real?.stop();
  for (const close of closers.reverse()) await close();
  await nc?.close();
  await estate?.stop();
});

async function rogueWorker(
  taskQueue: string,
  workflowsPath: string,
  dataConverter?: WorkerOptions['dataConverter'],
) {
  // A rogue's worker is its own process with its own connection.
  const connection = await NativeConnection.connect({ address: estate.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: estate.site.temporal.namespace,
    taskQueue,
    workflowsPath,
    ...(dataConverter && { dataConverter }),
  });
  const running = worker.run();
  closers.push(async () => {
    worker.shutdown();
    await running;
    await connection.close();
  });
}

/** A proof as a rogue can make one: a plausible plan, decisions signed with a key of its own. */
function forgedProof(workflowId: string, command: string): ApprovalProof {
  const { privateKey } = generateKeyPairSync('ed25519');
  const plan: ApprovalPlan = {
    runbook: 'channel-recovery',
    title: { zh: '恢复通道', en: 'Recover' },
    findings: [],
    actions: [{ kind: 'mqsc', target: 'QM.CZ', command, description: { zh: '', en: '' } }],
  };
  const run = { namespace: estate.site.temporal.namespace, workflowId, runId: 'any' };
  const decision = (user: string) =>
    signDecision(
      {
        v: 2,
        ...run,
        gateId: 'execute-1',
        step: 'execute',
        planDigest: planDigest(plan),
        verdict: 'approve',
        user,
        via: 'inbox',
        issuedAt: new Date().toISOString(),
        nonce: decisionNonce(),
      },
      { keyId: estate.site.approvals.signers[0]?.keyId ?? 'inbox', privateKey },
    );
  return {
    v: 1,
    run,
    runbook: 'channel-recovery',
    gateId: 'execute-1',
    step: 'execute',
    plan,
    decisions: [decision('wang'), decision('li')],
    requester: { user: 'eng', via: 'unverified' },
  };
}

/** Every activity that changes production or money, with input that would act if it were let through. */
async function everyMutation(workflowId: string): Promise<RogueCall[]> {
  const q = estate.site.temporal.taskQueues;
  const proof = forgedProof(workflowId, 'STOP CHANNEL(CZ.TO.RCB) MODE(QUIESCE)');
  const voucher = await estate.sandbox.treasury
    .selectFrom('vouchers')
    .select(['voucher_no', 'amount_fen', 'status', 'updated_at'])
    .where('bank_code', '=', 'RCB')
    .orderBy('voucher_no')
    .executeTakeFirstOrThrow();
  const planned = [
    {
      voucherNo: voucher.voucher_no,
      amountFen: Number(voucher.amount_fen),
      status: voucher.status,
      updatedAt: voucher.updated_at,
    },
  ];
  const list = { parts: [planDigest([voucher.voucher_no])], index: 0, part: [voucher.voucher_no] };
  const comm = (activity: string, input: object): RogueCall => ({
    activity,
    taskQueue: q.comm,
    args: [{ ...input, proof }],
  });
  const db = (activity: string, input: object): RogueCall => ({
    activity,
    taskQueue: q.db,
    args: [{ ...input, proof }],
  });
  return [
    comm('startSenderChannel', { bank: 'ICBC' }),
    comm('stopSenderChannel', { bank: 'RCB' }),
    comm('startBankSenderChannel', { bank: 'RCB' }),
    comm('stopBankSenderChannel', { bank: 'RCB' }),
    comm('resetSenderSequence', { bank: 'RCB', seqnum: 1 }),
    comm('backOutInDoubt', { bank: 'RCB' }),
    comm('defineFinanceObject', { spec: { type: 'QLOCAL', name: 'ROGUE.Q', descr: 'rogue' } }),
    comm('startNewSender', { channel: 'CZ.TO.RCB' }),
    db('realignOutgoingSerial', { bank: 'RCB', from: 0, to: 999 }),
    db('registerAgentBank', {
      code: 'ROG',
      name: '流氓银行',
      versions: [{ kind: 'payee_account', version: 1 }],
    }),
    db('requestOnboardingPushes', {
      code: 'RCB',
      pushes: [{ pushId: 'rogue/1', kind: 'payee_account', version: 1, records: 1 }],
    }),
    db('requestOnboardingTestQuery', {
      code: 'RCB',
      query: { subject: 'voucher', queryId: 'ROGUE-Q1', voucherNo: 'ROGUE00001' },
    }),
    db('pushBaseData', { bank: 'RCB', kinds: ['payee_account'], key: 'rogue' }),
    db('normalisePayeeFields', {
      bank: 'RCB',
      fixes: [
        {
          payeeId: 'PA000001',
          field: 'payeeAccountName',
          kinds: ['whitespace'],
          before: 'x',
          after: 'y',
          beforeDigest: '0'.repeat(16),
        },
      ],
    }),
    db('requeueVouchers', { bank: 'RCB', vouchers: planned, list }),
    db('alignVoucherStatus', { bank: 'RCB', vouchers: planned, as: 'align', list }),
    ...yearEndChanges(voucher),
    db('applyMutation', {
      bank: 'RCB',
      mutation: { kind: 'confirm-void', voucherNo: voucher.voucher_no, bankAt: new Date().toISOString() },
    }),
    {
      activity: 'registerBank',
      taskQueue: q.runbooks,
      args: [{ code: 'ROG', path: `${estate.site.addedBanksDir}/ROG.yaml`, content: 'code: ROG\n', proof }],
    },
    {
      activity: 'appendAudit',
      taskQueue: q.runbooks,
      args: [
        {
          workflowId,
          runbook: 'channel-recovery',
          kind: 'decision',
          actor: 'zhao',
          subject: 'execute-1',
          payload: {
            ...proof.decisions[0],
            user: 'zhao',
            verdict: 'approve',
            planDigest: planDigest(proof.plan),
            decision: proof.decisions[0],
          },
          idempotencyKey: `${workflowId}/forged-decision`,
        },
      ],
    },
    {
      activity: 'appendAudit',
      taskQueue: q.runbooks,
      args: [
        {
          workflowId,
          runbook: 'channel-recovery',
          kind: 'mutation',
          actor: 'system',
          subject: 'CZ.TO.RCB',
          payload: {
            action: 'STOP CHANNEL(CZ.TO.RCB)',
            before: {},
            after: {},
            planDigest: planDigest(proof.plan),
            approvedBy: ['zhao'],
          },
          idempotencyKey: `${workflowId}/forged-mutation`,
        },
      ],
    },
  ];
}

/** The year-end's changes, each with input that would freeze, cancel, carry over or open if let through. */
function yearEndChanges(voucher: { voucher_no: string; amount_fen: number; status: string }): RogueCall[] {
  const fiscalYear = Number(localDate(estate.sandbox.clock.now()).slice(0, 4));
  const proof = forgedProof('year-end-rollover/rogue', 'UPDATE fiscal_years');
  const db = (activity: string, input: object): RogueCall => ({
    activity,
    taskQueue: estate.site.temporal.taskQueues.db,
    args: [{ ...input, proof }],
  });
  const lines = [{ quotaId: 'ROGUE-Q', budgetUnitCode: '103001', subjectCode: '2050202', amountFen: 100 }];
  return [
    db('freezeFiscalYear', { fiscalYear }),
    db('fileQuotaNotices', {
      notices: [
        {
          noticeId: 'ROGUE-ZX-RCB',
          kind: 'cancellation',
          bank: 'RCB',
          fiscalYear,
          lines,
          lineCount: 1,
          totalFen: 100,
        },
      ],
    }),
    db('carryOverVouchers', {
      fiscalYear,
      policy: 'return',
      items: [
        {
          voucherNo: voucher.voucher_no,
          bank: 'RCB',
          amountFen: Number(voucher.amount_fen),
          status: voucher.status,
          policy: 'return',
        },
      ],
    }),
    db('prepareNewYear', {
      fiscalYear,
      banks: [{ bank: 'RCB', lastSerialOut: 0, lastSerialIn: 0, baseData: [] }],
    }),
    db('openFiscalYear', { fiscalYear, openDate: `${fiscalYear + 1}-01-04` }),
  ];
}

/** What a rogue could have changed: the treasury's rows, the finance queue manager's MQSC, the bank's books, the bank files, the audit trail. */
async function estateState() {
  const t = estate.sandbox.treasury;
  const tables = [
    'vouchers',
    'payee_accounts',
    'message_serials',
    'agent_banks',
    'base_data_versions',
    'base_data_pushes',
    'bank_queries',
    'receipts',
    'voucher_voids',
    'refunds',
    'fiscal_years',
    'quotas',
    'quota_year_notices',
    'message_serial_years',
  ] as const;
  const rows: unknown[] = [];
  for (const table of tables) rows.push(await t.selectFrom(table).selectAll().execute());
  const audit = await openAuditDb(estate.site.audit);
  try {
    return {
      treasury: createHash('sha256').update(JSON.stringify(rows)).digest('hex'),
      mqsc: estate.sandbox.estate
        .mqscLog('QM.CZ')
        .map((e) => e.command)
        .filter((c) => !/^\s*(DISPLAY|PING)/i.test(c)),
      payments: estate.sandbox.banks.books.db.prepare('SELECT COUNT(*) AS n FROM bank_payments').get(),
      bankFiles: existsSync(estate.site.addedBanksDir ?? '')
        ? readdirSync(estate.site.addedBanksDir ?? '')
        : [],
      audit: (await audit.selectFrom('audit_records').select(['seq', 'hash']).execute()).length,
    };
  } finally {
    await audit.destroy();
  }
}

/** Waits until the run's history holds `count` events of a kind. */
async function eventsOf(
  workflowId: string,
  count: number,
  kind: 'activityTaskScheduledEventAttributes' | 'activityTaskFailedEventAttributes',
): Promise<void> {
  const deadline = Date.now() + patienceMs;
  while (Date.now() < deadline) {
    const history = await estate.client.workflow.getHandle(workflowId).fetchHistory();
    if ((history.events?.filter((e) => e[kind]).length ?? 0) >= count) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${workflowId} did not reach ${count} ${kind}`);
}
const scheduled = (id: string, n: number) => eventsOf(id, n, 'activityTaskScheduledEventAttributes');
const failed = (id: string, n: number) => eventsOf(id, n, 'activityTaskFailedEventAttributes');

test('rogue workflows on their own queue and on the runbooks queue change nothing; every refusal is logged', async () => {
  const before = await estateState();
  await real.start(['comm', 'db']);
  const tag = Date.now();
  const runs = {
    plaintext: { queue: `rogue-plain-${tag}`, id: `rogue/plain/${tag}`, type: 'rogueWorkflow' },
    encrypted: { queue: `rogue-keyed-${tag}`, id: `rogue/keyed/${tag}`, type: 'rogueWorkflow' },
    namedLikeOurs: {
      queue: estate.site.temporal.taskQueues.runbooks,
      id: `channel-recovery/CZ.TO.RCB/rogue-${tag}`,
      type: 'channelRecovery',
    },
  };
  await rogueWorker(runs.plaintext.queue, fixture('rogue-own.ts'));
  await rogueWorker(runs.encrypted.queue, fixture('rogue-own.ts'), testDataConverter());
  await rogueWorker(runs.namedLikeOurs.queue, fixture('rogue-named-like-ours.ts'), testDataConverter());

  const handles = await Promise.all(
    Object.values(runs).map(async (r) => {
      const calls = await everyMutation(r.id);
      // The plaintext rogue's own client and worker have no key: what it sends is plain JSON.
      const client = r === runs.plaintext ? await plainClient() : estate.client;
      return {
        calls,
        handle: await client.workflow.start(r.type, { taskQueue: r.queue, workflowId: r.id, args: [calls] }),
      };
    }),
  );
  // Only now does the real runbooks worker poll: the rogue run named like ours went to the rogue.
  for (const [r, h] of Object.values(runs).map((r, i) => [r, handles[i]!] as const))
    await scheduled(r.id, h.calls.length);
  await real.start(['runbooks']);
  const [plain, ...keyedRuns] = handles;
  const [keyed, named] = (await Promise.all(keyedRuns.map((h) => h.handle.result()))) as RogueOutcome[][];
  // Without the key the plaintext rogue cannot even read why it failed (failures are encrypted too):
  // its activities fail, and its own workflow tasks with them.
  await failed(runs.plaintext.id, plain!.calls.length);
  await plain!.handle.terminate('test over');
  assert.deepEqual(
    keyed!.filter((o) => o.ok || o.type !== 'ForeignRun'),
    [],
    'own queue: refused as a foreign run',
  );
  assert.deepEqual(
    named!.filter((o) => o.ok || o.type !== 'ApprovalProofRefused'),
    [],
    'named like ours: no proof holds',
  );

  assert.deepEqual(
    await estateState(),
    before,
    'nothing changed: MQ, treasury, bank books, bank files, audit trail',
  );
  const refused = real.lines.filter((l) => l.msg === 'activity refused');
  for (const [run, outcomes] of [
    [runs.encrypted, keyed],
    [runs.namedLikeOurs, named],
  ] as const)
    for (const o of outcomes ?? [])
      assert.ok(
        refused.some((l) => l.refused === o.activity && l.workflowId === run.id && typeof l.why === 'string'),
        `the refusal of ${o.activity} for ${run.id} is logged with why`,
      );
  for (const call of plain!.calls)
    assert.ok(
      sdkLines.some((l) => l.text.includes(call.activity) && l.text.includes('Payload refused')),
      `the unreadable ${call.activity} is logged`,
    );
});

async function plainClient() {
  const { Client, Connection } = await import('@temporalio/client');
  const connection = await Connection.connect({ address: estate.temporal.address });
  closers.push(() => connection.close());
  return new Client({ connection, namespace: estate.site.temporal.namespace });
}
