/**
 * The appending side of the signed trail: every record signed with the audit key, the signed
 * head file moved forward after each append, and no record chained onto a store that no longer
 * holds what the head anchors or that ends in a record written around the audit activity.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { auditKeyRing } from '../../connectors/audit/site-audit.ts';
import { recordMessage } from '../../connectors/audit/audit-keys.ts';
import { readHeadFile } from '../../connectors/audit/head-file.ts';
import { GENESIS_HASH, normalizeEntry, recordHash, type AuditRecord } from '../../connectors/audit/record.ts';
import { runEntries, tempAuditStore, type TempAuditStore } from './helpers.ts';

function rows(store: TempAuditStore): AuditRecord[] {
  return store.rows('select * from audit_records order by seq') as AuditRecord[];
}

const refusedAsBroken = (pattern: RegExp) => (err: unknown) =>
  err instanceof ApplicationFailure &&
  err.type === 'AuditTrailBroken' &&
  !err.nonRetryable &&
  pattern.test(err.message);

/** Records as a store written before records were signed holds them: chained, unsigned. */
function writeLegacyRecords(store: TempAuditStore, count: number): void {
  let prev = GENESIS_HASH;
  const entries = Array.from({ length: Math.ceil(count / 5) }, () => runEntries())
    .flat()
    .slice(0, count);
  entries.forEach((entry, i) => {
    const stored = {
      ...normalizeEntry(entry),
      seq: i + 1,
      recorded_at: new Date(Date.UTC(2026, 0, 5, 1, i)).toISOString(),
    };
    const hash = recordHash(prev, stored);
    store.tamper(
      `insert into audit_records (seq, recorded_at, workflow_id, run_id, runbook, kind, actor, subject, payload,
         idempotency_key, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      stored.seq,
      stored.recorded_at,
      stored.workflow_id,
      stored.run_id,
      stored.runbook,
      stored.kind,
      stored.actor,
      stored.subject,
      stored.payload,
      stored.idempotency_key,
      prev,
      hash,
    );
    prev = hash;
  });
  store.tamper('update audit_chain_head set last_seq = ?, last_hash = ? where id = 1', count, prev);
}

test('each record is signed with the audit key, and the signed head file follows the last one', async (t) => {
  const store = await tempAuditStore();
  t.after(() => store.cleanup());
  assert.equal(existsSync(store.audit.headFile), false, 'no head before the first record');
  for (const e of runEntries()) await store.appendAudit(e);

  const keys = auditKeyRing(store.audit);
  const stored = rows(store);
  for (const r of stored) {
    assert.equal(r.key_id, 'test-audit');
    assert.equal(keys.check(recordMessage(r.hash), r.key_id, r.signature), 'ok', `seq ${r.seq} is signed`);
  }
  const reading = await readHeadFile(store.audit.headFile, keys);
  assert.ok('head' in reading, JSON.stringify(reading));
  assert.equal(reading.head.seq, 5);
  assert.equal(reading.head.hash, stored[4]!.hash);
  assert.equal(reading.head.legacyUntil, 0);

  // The head file's signature covers what it says: moving it back by hand breaks it.
  const moved = { ...reading.head, seq: 3, hash: stored[2]!.hash };
  writeFileSync(store.audit.headFile, JSON.stringify(moved));
  const forgedHead = await readHeadFile(store.audit.headFile, keys);
  assert.ok(
    'problem' in forgedHead && /does not verify with audit key "test-audit"/.test(forgedHead.problem),
  );
});

test('no record is chained onto a truncated store: the append is refused, retryably, and nothing is written', async (t) => {
  const store = await tempAuditStore();
  t.after(() => store.cleanup());
  for (const e of [...runEntries(), ...runEntries()]) await store.appendAudit(e);
  const headBefore = readFileSync(store.audit.headFile, 'utf8');
  const eight = rows(store)[7]!;
  store.tamper('delete from audit_records where seq > 8');
  store.tamper('update audit_chain_head set last_seq = 8, last_hash = ? where id = 1', eight.hash);

  await assert.rejects(
    store.appendAudit(runEntries()[0]!),
    refusedAsBroken(/the store ends at seq 8 but the signed head in .* records seq 10/),
  );
  assert.equal(rows(store).length, 8);
  assert.equal(readFileSync(store.audit.headFile, 'utf8'), headBefore, 'the head file is not moved back');
});

test('no record is chained onto one written straight into the database', async (t) => {
  const store = await tempAuditStore();
  t.after(() => store.cleanup());
  for (const e of runEntries()) await store.appendAudit(e);
  const last = rows(store)[4]!;
  const forged = { ...last, seq: 6, prev_hash: last.hash, idempotency_key: 'forged', actor: 'demo-director' };
  const hash = recordHash(last.hash, forged);
  store.tamper(
    `insert into audit_records select 6, recorded_at, workflow_id, run_id, runbook, kind, 'demo-director', subject,
       payload, 'forged', ?, ?, null, null from audit_records where seq = 5`,
    last.hash,
    hash,
  );
  store.tamper('update audit_chain_head set last_seq = 6, last_hash = ? where id = 1', hash);

  await assert.rejects(
    store.appendAudit(runEntries()[0]!),
    refusedAsBroken(
      /seq 6, the last record, carries no audit signature: it was written around the audit activity/,
    ),
  );
  assert.equal(rows(store).length, 6);
});

test('a store written before records were signed is anchored on its first signed append', async (t) => {
  const store = await tempAuditStore();
  t.after(() => store.cleanup());
  writeLegacyRecords(store, 7);
  for (const e of runEntries()) await store.appendAudit(e);

  const reading = await readHeadFile(store.audit.headFile, auditKeyRing(store.audit));
  assert.ok('head' in reading);
  assert.deepEqual([reading.head.seq, reading.head.legacyUntil], [12, 7]);
  const verdict = await store.verify();
  assert.deepEqual(verdict.problems, []);
  assert.equal(verdict.legacy, 7);

  // Once records are signed, a lost head file is not silently replaced.
  rmSync(store.audit.headFile);
  await assert.rejects(
    store.appendAudit(runEntries()[0]!),
    refusedAsBroken(/the head file .* is missing while the store holds records signed up to seq 12/),
  );
});
