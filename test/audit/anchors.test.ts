/**
 * Verification beyond the hash chain: the signed heads outside the store (the head file, an
 * export's head), and the decisions re-checked against the front doors' keys and their plans.
 */
import assert from 'node:assert/strict';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSigningKey } from '../../connectors/approvals/signing-keys.ts';
import { exportEvidence } from '../../connectors/audit/evidence.ts';
import { signHead } from '../../connectors/audit/head-file.ts';
import type { AuditRecord } from '../../connectors/audit/record.ts';
import type { AuditVerification } from '../../connectors/audit/verify.ts';
import {
  decisionEntry,
  filledStore,
  frontDoorKey,
  runEntries,
  tempAuditStore,
  type TempAuditStore,
} from './helpers.ts';

const brief = (r: AuditVerification) => r.problems.map((p) => [p.seq, p.kind]);
const record = (store: TempAuditStore, seq: number) =>
  store.rows('select * from audit_records where seq = ?', seq)[0] as AuditRecord;

test('a fresh store needs no head; a store with records needs its signed head file', async (t) => {
  const store = await tempAuditStore();
  t.after(() => store.cleanup());
  assert.deepEqual((await store.verify()).problems, []);
  for (const e of runEntries()) await store.appendAudit(e);
  const intact = await store.verify();
  assert.deepEqual(intact.problems, []);
  assert.deepEqual(intact.anchored, [{ source: store.audit.headFile, seq: 5 }]);

  rmSync(store.audit.headFile);
  const missing = await store.verify();
  assert.deepEqual(brief(missing), [[0, 'anchor']]);
  assert.match(
    missing.problems[0]!.problem,
    /is missing \(the store holds 5 record\(s\)\): truncation cannot be ruled out/,
  );

  writeFileSync(store.audit.headFile, JSON.stringify({ format: 'jincai-audit-head/v1', seq: 2 }));
  assert.match((await store.verify()).problems[0]!.problem, /is not a signed audit head/);
});

test('a store ahead of its head file by records that chain from it verifies (a crash before the head write)', async (t) => {
  const store = await tempAuditStore();
  t.after(() => store.cleanup());
  for (const e of runEntries()) await store.appendAudit(e);
  const older = join(store.dir, 'head-at-5.json');
  copyFileSync(store.audit.headFile, older);
  for (const e of runEntries()) await store.appendAudit(e);
  copyFileSync(older, store.audit.headFile);

  const verdict = await store.verify();
  assert.deepEqual(verdict.problems, []);
  assert.equal(verdict.last.seq, 10);
  assert.deepEqual(verdict.anchored, [{ source: store.audit.headFile, seq: 5 }]);
  // The next append brings the head file up to the store.
  await store.appendAudit(runEntries()[0]!);
  assert.deepEqual((await store.verify()).anchored, [{ source: store.audit.headFile, seq: 11 }]);
});

test('an export made earlier anchors a later check: truncation behind a head file moved back still shows', async (t) => {
  const store = await filledStore(t);
  const headAt8 = join(store.dir, 'head-at-8.json');
  const { jsonFile } = await exportEvidence(store.db, {
    from: '2026-01-01',
    to: '2099-12-31',
    outDir: join(store.dir, 'export'),
    verify: await store.verifyOptions(),
  });
  // Someone who can write both the store and the head file's folder puts back a genuine older
  // head (as one kept from when the store was at seq 8).
  const eight = { seq: 8, hash: record(store, 8).hash };
  writeFileSync(
    headAt8,
    JSON.stringify(signHead(eight, 0, loadSigningKey(store.audit, 'audit'), new Date())),
  );
  store.tamper('delete from audit_records where seq > 8');
  store.tamper('update audit_chain_head set last_seq = 8, last_hash = ? where id = 1', eight.hash);
  copyFileSync(headAt8, store.audit.headFile);

  assert.deepEqual((await store.verify()).problems, [], 'the moved-back head file alone cannot tell');
  const anchored = await store.verify(jsonFile);
  assert.deepEqual(brief(anchored), [[9, 'truncated']]);
  assert.match(
    anchored.problems[0]!.problem,
    new RegExp(
      `records seq 9–10 are missing at the end: the store ends at seq 8, the head signed in ${jsonFile}`,
    ),
  );
});

test('a decision is re-checked: its front door, its fields, and the plan of its gate', async (t) => {
  const store = await tempAuditStore();
  t.after(() => store.cleanup());
  const [started, plan] = runEntries();
  const { workflowId, runId = '', runbook } = started!;
  const base = { workflowId, runId, runbook };
  const vote = { gateId: 'restart-1', step: 'restart', user: 'fin.li', displayName: '李审批' };
  const otherPlan = 'e'.repeat(64);
  const stranger = frontDoorKey('rogue-door');
  const genuine = decisionEntry(base, {
    ...vote,
    planDigest: (plan!.payload as { planDigest: string }).planDigest,
  });
  for (const e of [
    started!,
    plan!,
    decisionEntry(base, { ...vote, planDigest: otherPlan }),
    decisionEntry(base, { ...vote, user: 'wang', planDigest: otherPlan }, stranger),
    { ...genuine, payload: { ...(genuine.payload as object), user: 'demo-director' } },
    decisionEntry(base, { ...vote, gateId: 'restart-2', planDigest: otherPlan }),
  ])
    await store.appendAudit(e);

  const verdict = await store.verify();
  assert.deepEqual(brief(verdict), [
    [3, 'decision'],
    [4, 'decision'],
    [4, 'decision'],
    [5, 'decision'],
    [6, 'decision'],
  ]);
  const [wrongPlan, unknownKey, , renamed, noPlan] = verdict.problems.map((p) => p.problem);
  assert.match(
    wrongPlan!,
    /^seq 3: the decision by fin\.li on gate restart-1 approves plan digest e{64}, but the gate's plan \(seq 2\) has digest [0-9a-f]{64}$/,
  );
  assert.match(
    unknownKey!,
    /^seq 4: the decision by wang on gate restart-1 is signed with front-door key "rogue-door", which is not among approvals\.signers$/,
  );
  assert.match(renamed!, /^seq 5: the record's payload\.user differ from the signed decision$/);
  assert.match(
    noPlan!,
    /^seq 6: no plan record of gate restart-2 in this run precedes the decision by fin\.li/,
  );
});
