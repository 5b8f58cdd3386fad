/**
 * No Oracle server runs in the tests, so this checks what the audit store would send one:
 * the Oracle dialect's SQL, captured by a driver that answers like Oracle would.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { exportEvidence } from '../../connectors/audit/evidence.ts';
import { createAuditSchema } from '../../connectors/audit/migrations.ts';
import type { AuditDatabase } from '../../connectors/audit/schema.ts';
import { appendAuditRecord } from '../../connectors/audit/store.ts';
import { verifyAuditTrail } from '../../connectors/audit/verify.ts';
import { oracle121Problems, oracleLike } from '../support/oracle-like.ts';
import { runEntries } from './helpers.ts';

test('Oracle DDL: VARCHAR2 in characters, a CLOB payload, NUMBER seq; an existing object is fine', async () => {
  let headExists = false;
  const { db, log, statements } = oracleLike<AuditDatabase>((sql) => {
    if (sql.startsWith('create table') && sql.includes('"audit_chain_head"'))
      throw new Error('ORA-00955: name is already used by an existing object');
    if (sql.startsWith('insert into "audit_chain_head"')) headExists = true;
    return sql.startsWith('select') && headExists ? [{ id: 1 }] : [];
  });
  await createAuditSchema(db);
  const records = log.find((s) => s.startsWith('create table "audit_records"')) ?? '';
  assert.match(records, /"seq" number\(19\) not null/);
  assert.match(records, /"payload" clob not null/);
  assert.match(records, /"workflow_id" varchar2\(255 char\) not null/);
  assert.match(records, /constraint "audit_records_idem_uq" unique \("idempotency_key"\)/);
  assert.ok(
    log.every((s) => !/if not exists/i.test(s)),
    'no IF NOT EXISTS before Oracle 23ai',
  );
  // The head row is inserted inside a transaction: Oracle commits nothing outside one.
  const insert = log.findIndex((s) => s.startsWith('insert into "audit_chain_head"'));
  assert.equal(log[insert - 1], '<begin>');
  assert.equal(log[insert + 1], '<commit>');
  assert.deepEqual(statements.flatMap(oracle121Problems), []);
});

test('Oracle append: the chain head is locked FOR UPDATE in the same transaction as the insert', async () => {
  const lastHash = 'c'.repeat(64);
  const { db, log, statements } = oracleLike<AuditDatabase>((sql) =>
    sql.startsWith('select "last_seq"') ? [{ last_seq: 41, last_hash: lastHash }] : [],
  );
  const { record, appended } = await appendAuditRecord(db, runEntries()[0]!);
  assert.equal(appended, true);
  assert.equal(record.seq, 42);
  assert.equal(record.prev_hash, lastHash);
  assert.deepEqual(
    log.map((s) => s.split(' ').slice(0, 3).join(' ')),
    [
      '<begin>',
      'select "last_seq", "last_hash"',
      'select * from',
      'insert into "audit_records"',
      'update "audit_chain_head" set',
      '<commit>',
    ],
  );
  assert.match(log[1]!, /where "id" = :1 for update$/);
  assert.deepEqual(statements.flatMap(oracle121Problems), []);
});

test('Oracle reads: read-only snapshot, no LIMIT anywhere', async () => {
  const { db, log, statements } = oracleLike<AuditDatabase>((sql) =>
    sql.startsWith('select "last_seq"')
      ? [{ last_seq: 0, last_hash: '0'.repeat(64) }]
      : sql.startsWith('select max') || sql.startsWith('select min')
        ? [{ max: null, min: null, first: null, last: null, seq: null }]
        : [],
  );
  assert.equal((await verifyAuditTrail(db)).ok, true);
  assert.equal(log[1], 'SET TRANSACTION READ ONLY');
  const dir = mkdtempSync(join(tmpdir(), 'jincai-audit-ora-'));
  try {
    await exportEvidence(db, { from: '2026-03-01', to: '2026-03-01', outDir: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(
    log.every((s) => !/\blimit\b/i.test(s)),
    log.join('\n'),
  );
  assert.deepEqual(statements.flatMap(oracle121Problems), []);
});
