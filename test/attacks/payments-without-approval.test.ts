/**
 * Attack: payments without approval (issue 7, attack 1). A voucher resend for ICBC's timed-out
 * vouchers waits at its gate. An engineer — a Temporal client with the site's payload key, who may
 * decode — reads the run's history and (1) orders the resend from outside: a `resendBatchOrder`
 * signal, with the batch's real digest, to every open child of the run, to the child id the run
 * would use and to the run itself, and the same as an update; (2) starts `voucherResendBatch`
 * straight on the runbooks queue with a well-formed input carrying the plan's real digests and no
 * proof, a proof signed with a key of its own, or the genuine proof of another run (ABC's,
 * approved and paid). Nothing is paid, no voucher row moves, every refusal is logged and nothing
 * is audited as a change under the attacker's ids. (3) The gate still shows no vote; approved,
 * the real run pays each voucher exactly once.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, test } from 'node:test';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import {
  decodeArrayFromPayloads,
  loadDataConverter,
} from '@temporalio/common/lib/internal-non-workflow/index.js';
import { decisionNonce, signDecision } from '../../connectors/approvals/signing-keys.ts';
import { openAuditDb } from '../../connectors/audit/database.ts';
import { listDigest, type ApprovalProof } from '../../domain/approvals/proof.ts';
import { startAssertionMemoKey, type SignedStart } from '../../domain/approvals/signed-claims.ts';
import type {
  BatchResult,
  BatchSummary,
  DiagnoseBatchInput,
  ResendBatchInput,
  VoucherResendResult,
} from '../../domain/runbooks/voucher-resend.types.ts';
import { approvalStateQuery } from '../../workflows/shared/approval-definitions.ts';
import { historyLength, quietHistoryLength, waitForGate, type WaitingGate } from '../support/approvals.ts';
import { testDataConverter } from '../support/codec.ts';
import type { TestEstate } from '../support/estate.ts';
import { loggedEstate, type LoggedWorkers } from '../support/logged-workers.ts';
import { captureSdkLog, loggedLine } from '../support/sdk-log.ts';
import {
  approveNext,
  assertNoDoublePayment,
  assertPaidOnce,
  quick,
  resendSite,
  startResend,
} from '../support/voucher-resend.ts';
import { workingTodayCalendar } from '../support/open-all-day.ts';

const sdkLines = captureSdkLog();
const calendar = workingTodayCalendar();
let estate: TestEstate;
let workers: LoggedWorkers;
let stop: (() => Promise<void>) | undefined;

interface Resend {
  id: string;
  handle: WorkflowHandle;
  vouchers: string[];
}
let icbc: Resend;
let abc: Resend;
let gate: WaitingGate;
/** ICBC's books and voucher rows while its run waits at the gate. */
let untouched: Awaited<ReturnType<typeof moneyState>>;

before(async () => {
  ({ estate, workers, stop } = await loggedEstate({
    banks: ['ICBC', 'ABC'],
    edit: resendSite(calendar.file),
  }));
  const resend = async (bank: string): Promise<Resend> => {
    const { details } = await estate.sandbox.faults.inject({ fault: 'voucher-timed-out', bank, count: 3 });
    const vouchers = details.vouchers as string[];
    const id = `voucher-resend/${bank}/unapproved-${Date.now()}`;
    const input = { bank, requestedBy: 'eng', voucherNos: vouchers, ...quick };
    return { id, vouchers, handle: await startResend(estate.client, estate.site, id, input) };
  };
  [icbc, abc] = await Promise.all([resend('ICBC'), resend('ABC')]);
  gate = await waitForGate(estate.client, icbc.id);
  untouched = await moneyState();
});
after(async () => {
  await stop?.();
  calendar.remove();
});

/** What a payment without approval would change: ICBC's books and the vouchers' rows. */
async function moneyState() {
  const ledger = estate.sandbox.banks.ledger('ICBC');
  const rows = await estate.sandbox.treasury
    .selectFrom('vouchers')
    .select(['voucher_no', 'status', 'updated_at'])
    .where('voucher_no', 'in', icbc.vouchers)
    .orderBy('voucher_no')
    .execute();
  return { paid: icbc.vouchers.map((no) => [no, ledger.payCount(no)]), rows };
}

/** Every payload of a run's history that an engineer can decode: child inputs and results, signals. */
async function decodedHistory(workflowId: string): Promise<Record<string, unknown>[]> {
  const converter = loadDataConverter(testDataConverter());
  const { events } = await estate.client.workflow.getHandle(workflowId).fetchHistory();
  const values: unknown[] = [];
  for (const e of events ?? []) {
    const carried = [
      e.startChildWorkflowExecutionInitiatedEventAttributes?.input,
      e.childWorkflowExecutionCompletedEventAttributes?.result,
      e.workflowExecutionSignaledEventAttributes?.input,
    ];
    for (const p of carried) values.push(...(await decodeArrayFromPayloads(converter, p?.payloads)));
  }
  return values.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null);
}

/** The batches' summaries (with their digests) and the input the run gave their diagnosis. */
async function readBatches(workflowId: string) {
  const decoded = await decodedHistory(workflowId);
  const summaries = decoded
    .filter((v) => typeof v.resendDigest === 'string')
    .map((v) => v as unknown as BatchSummary)
    .sort((a, b) => a.batch - b.batch);
  const inputs = decoded
    .filter((v) => typeof v.runKey === 'string')
    .map((v) => v as unknown as DiagnoseBatchInput);
  return { summaries, inputs };
}

/** The kinds of the audit records of these runs and their children. */
async function auditKindsOf(workflowIds: string[]): Promise<string[]> {
  const db = await openAuditDb(estate.site.audit, { readOnly: true });
  try {
    const rows = await db
      .selectFrom('audit_records')
      .select('kind')
      .where((eb) => eb.or(workflowIds.map((id) => eb('workflow_id', 'like', `${id}%`))))
      .execute();
    return rows.map((r) => r.kind);
  } finally {
    await db.destroy();
  }
}

test('the waiting run has no child to order, and orders sent from outside change nothing', async () => {
  const run = estate.client.workflow.getHandle(icbc.id);
  const { summaries, inputs } = await readBatches(icbc.id);
  const [summary] = summaries;
  assert.ok(summary, 'the batches’ digests are in the decoded history');
  // The order attack 1 sent: execute, bound to the batch's real resend digest.
  const order = {
    kind: 'execute',
    planDigest: gate.planDigest,
    batchDigest: summary.resendDigest,
    blockedKinds: [],
    requestedBy: 'eng',
  };

  // Every open child of the run is sent the order; any but the lock is watched until it ends, as
  // the batches that took orders ended once they had resent.
  const openChildren: { id: string; type: string }[] = [];
  for await (const child of estate.client.workflow.list({ query: `ParentWorkflowId = '${icbc.id}'` }))
    if (child.status.name === 'RUNNING') openChildren.push({ id: child.workflowId, type: child.type });
  for (const child of openChildren)
    await estate.client.workflow.getHandle(child.id).signal('resendBatchOrder', order);
  await Promise.allSettled(
    openChildren
      .filter((c) => c.type !== 'resourceLock')
      .map((c) => estate.client.workflow.getHandle(c.id).result()),
  );
  assert.deepEqual(await moneyState(), untouched, 'nothing paid at ICBC, no voucher row changed');
  // Its only open child is the lock it holds: no batch exists before the approval.
  assert.deepEqual(
    openChildren,
    [{ id: 'lock/vouchers/ICBC', type: 'resourceLock' }],
    'no batch of the waiting run was open to take an order',
  );

  // The id the run will give its first execution batch, guessed before it exists.
  const runKey = inputs[0]?.runKey ?? '';
  const guessed = `${icbc.id}/${runKey.slice(runKey.indexOf('#') + 1)}/batch-1`;
  await assert.rejects(
    estate.client.workflow.getHandle(guessed).signal('resendBatchOrder', order),
    WorkflowNotFoundError,
  );

  // To the run itself: the signal is logged and dropped, as the lock did; the update is refused
  // and leaves no event.
  await run.signal('resendBatchOrder', order);
  for (const workflowId of [icbc.id, ...openChildren.map((c) => c.id)])
    await loggedLine(
      sdkLines,
      (l) =>
        l.message.startsWith('signal ignored') &&
        l.meta.refused === 'resendBatchOrder' &&
        l.meta.workflowId === workflowId,
    );
  const quiet = await quietHistoryLength(estate.client, icbc.id);
  await assert.rejects(run.executeUpdate('resendBatchOrder', { args: [order] }), WorkflowUpdateFailedError);
  assert.equal(await historyLength(estate.client, icbc.id), quiet, 'the refused update left no event');
  assert.deepEqual(await moneyState(), untouched, 'still nothing paid, no voucher row changed');
});

test('a batch started from outside pays nothing: without a proof, with a forged one, with another run’s', async () => {
  const { summaries, inputs } = await readBatches(icbc.id);
  const [diagnosed] = inputs;
  assert.ok(diagnosed, 'the diagnosis input is in the decoded history');
  const parts = { resend: summaries.map((s) => s.resend.part), align: summaries.map((s) => s.align.part) };
  const lists = gate.plan.lists ?? [];
  assert.equal(listDigest(parts.resend), lists.find((l) => l.name === 'resend')?.digest);
  assert.equal(listDigest(parts.align), lists.find((l) => l.name === 'align')?.digest);
  const [summary] = summaries;
  assert.ok(summary);

  // ABC's run, approved by the real approver: its genuine proof is in its batch's decoded input.
  await approveNext(estate.client, estate.site, abc.id);
  const abcDone: VoucherResendResult = await abc.handle.result();
  assert.equal(abcDone.outcome, 'completed');
  assertPaidOnce(estate.sandbox, 'ABC', abc.vouchers);
  const abcProof = (await decodedHistory(abc.id)).find((v) => v.proof)?.proof as ApprovalProof;
  assert.equal(abcProof.run.workflowId, abc.id);

  // Everything genuine but the key: the real run, gate and plan, the real requester's signed start.
  // Like the copied proof, it is refused before its signatures are looked at: the batch that shows
  // it is neither the approved run nor its child.
  const { privateKey } = generateKeyPairSync('ed25519');
  const keyId = estate.site.approvals.signers[0]?.keyId ?? 'inbox';
  const memo = (await icbc.handle.describe()).memo ?? {};
  const forged: ApprovalProof = {
    v: 1,
    run: { namespace: estate.site.temporal.namespace, workflowId: icbc.id, runId: gate.runId },
    runbook: 'voucher-resend',
    gateId: gate.gateId,
    step: gate.step,
    plan: gate.plan,
    decisions: [
      signDecision(
        {
          v: 2,
          namespace: estate.site.temporal.namespace,
          workflowId: icbc.id,
          runId: gate.runId,
          gateId: gate.gateId,
          step: gate.step,
          planDigest: gate.planDigest,
          verdict: 'approve',
          user: 'wang',
          via: 'inbox',
          issuedAt: new Date().toISOString(),
          nonce: decisionNonce(),
        },
        { keyId, privateKey },
      ),
    ],
    requester: { user: 'eng', via: 'start', evidence: memo[startAssertionMemoKey] as SignedStart },
  };

  const tag = Date.now();
  const attempts = { none: undefined, forged, copied: abcProof };
  const attackerIds = Object.keys(attempts).map((name) => `attack1/${tag}/${name}`);
  const outcomes: Record<string, BatchResult> = {};
  for (const [name, proof] of Object.entries(attempts)) {
    const workflowId = `attack1/${tag}/${name}`;
    const input: ResendBatchInput = {
      ...diagnosed,
      verifySeconds: quick.verifySeconds,
      detail: true,
      proof,
      // What its changes would record: the approval it claims to act on.
      approvedOn: {
        gateId: gate.gateId,
        planDigest: gate.planDigest,
        approvedBy: [{ user: 'wang', role: 'comm-approver' }],
      },
      actBy: new Date(Date.now() + 3_600_000).toISOString(),
      expected: { resendDigest: summary.resendDigest, alignDigest: summary.alignDigest },
      lists: { resend: { parts: parts.resend, index: 0 }, align: { parts: parts.align, index: 0 } },
      blockedKinds: [],
    };
    outcomes[name] = await estate.client.workflow.execute('voucherResendBatch', {
      taskQueue: estate.site.temporal.taskQueues.runbooks,
      workflowId,
      args: [input],
    });
  }

  assert.deepEqual(await moneyState(), untouched, 'nothing paid at ICBC, no voucher row changed');
  const refusals = workers.lines.filter((l) => l.msg === 'activity refused');
  for (const [name, reason] of [
    ['none', 'malformed'],
    ['forged', 'wrong-run'],
    ['copied', 'wrong-run'],
  ] as const) {
    assert.equal(outcomes[name]?.counts.accepted, undefined, `${name}: nothing resent`);
    assert.equal(outcomes[name]?.replan?.why, 'approval-aged', `${name}: the batch asks for approval`);
    assert.ok(
      refusals.some(
        (l) =>
          l.workflowId === `attack1/${tag}/${name}` && l.refused === 'requeueVouchers' && l.reason === reason,
      ),
      `${name}: the refused resend is logged (${reason})`,
    );
  }
  const changes = (await auditKindsOf(attackerIds)).filter((k) => k === 'mutation' || k === 'proof-used');
  assert.deepEqual(changes, [], 'no change audited under the attacker’s ids');
});

test('the gate still shows no vote; approved, the real run pays each voucher exactly once', async () => {
  const state = await icbc.handle.query(approvalStateQuery);
  assert.equal(state.pending?.gateId, gate.gateId);
  assert.deepEqual(state.pending?.votes, []);
  await approveNext(estate.client, estate.site, icbc.id);
  const done: VoucherResendResult = await icbc.handle.result();
  assert.equal(done.outcome, 'completed');
  assertPaidOnce(estate.sandbox, 'ICBC', icbc.vouchers);
  assertNoDoublePayment(estate.sandbox, 'ICBC');
  const audited = await auditKindsOf([icbc.id]);
  for (const kind of ['decision', 'proof-used', 'mutation'])
    assert.ok(audited.includes(kind), `the approved run's ${kind} is audited`);
});
