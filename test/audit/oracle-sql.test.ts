/**
 * No Oracle server runs in the tests, so this checks what the audit store would send one:
 * the Oracle dialect's SQL, captured by a driver that answers like Oracle would.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSigningKey } from '../../connectors/approvals/signing-keys.ts';
import { recordMessage, signMessage } from '../../connectors/audit/audit-keys.ts';
import { exportEvidence } from '../../connectors/audit/evidence.ts';
import { signHead, writeHeadFile } from '../../connectors/audit/head-file.ts';
import { createAuditSchema } from '../../connectors/audit/migrations.ts';
import type { AuditDatabase } from '../../connectors/audit/schema.ts';
import { auditVerifyOptions, createSiteAuditWriter } from '../../connectors/audit/site-audit.ts';
import { verifyAuditTrail } from '../../connectors/audit/verify.ts';
import { testAuditSection } from '../support/audit-site.ts';
import { oracle121Problems, oracleLike } from '../support/oracle-like.ts';
import { runEntries } from './helpers.ts';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'jincai-audit-ora-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

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

test('Oracle DDL: a store made before records were signed gets the signature columns, without COLUMN', async () => {
  const { db, log, statements } = oracleLike<AuditDatabase>((sql) => {
    if (sql.startsWith('select "key_id"')) throw new Error('ORA-00904: "key_id": invalid identifier');
    return sql.startsWith('select') ? [{ id: 1 }] : [];
  });
  await createAuditSchema(db);
  assert.deepEqual(
    log.filter((s) => s.startsWith('alter table')),
    [
      'alter table "audit_records" add ("key_id" varchar2(64 char))',
      'alter table "audit_records" add ("signature" varchar2(128 char))',
    ],
  );
  assert.deepEqual(statements.flatMap(oracle121Problems), []);
});

test('Oracle append: the chain head is locked FOR UPDATE while the record is checked, chained and signed, and again for the head file', async (t) => {
  const audit = testAuditSection(tempDir(t));
  const key = loadSigningKey(audit, 'audit');
  const lastHash = 'c'.repeat(64);
  await writeHeadFile(audit.headFile, signHead({ seq: 41, hash: lastHash }, 0, key, new Date()));
  const { db, log, statements } = oracleLike<AuditDatabase>((sql) => {
    if (sql.startsWith('select "last_seq"')) return [{ last_seq: 41, last_hash: lastHash }];
    if (sql.startsWith('select "hash", "key_id", "signature"'))
      return [{ hash: lastHash, key_id: key.keyId, signature: signMessage(recordMessage(lastHash), key) }];
    return [];
  });
  const { record, appended } = await createSiteAuditWriter(db, audit).append(runEntries()[0]!);
  assert.equal(appended, true);
  assert.equal(record.seq, 42);
  assert.equal(record.prev_hash, lastHash);
  assert.deepEqual(
    log.map((s) => s.split(' ').slice(0, 3).join(' ')),
    [
      '<begin>',
      'select "last_seq", "last_hash"',
      'select "hash", "key_id",',
      'select "hash", "key_id",',
      'select * from',
      'insert into "audit_records"',
      'update "audit_chain_head" set',
      '<commit>',
      '<begin>',
      'select "last_seq", "last_hash"',
      '<commit>',
    ],
  );
  assert.match(log[1]!, /where "id" = :1 for update$/);
  assert.match(log[9]!, /where "id" = :1 for update$/);
  assert.equal((JSON.parse(readFileSync(audit.headFile, 'utf8')) as { seq: number }).seq, 42);
  assert.deepEqual(statements.flatMap(oracle121Problems), []);
});

test('Oracle reads: read-only snapshot, no LIMIT anywhere', async (t) => {
  const { db, log, statements } = oracleLike<AuditDatabase>((sql) =>
    sql.startsWith('select "last_seq"')
      ? [{ last_seq: 0, last_hash: '0'.repeat(64) }]
      : sql.startsWith('select max') || sql.startsWith('select min')
        ? [{ max: null, min: null, first: null, last: null, seq: null }]
        : [],
  );
  const dir = tempDir(t);
  const verify = await auditVerifyOptions(testAuditSection(dir), []);
  assert.equal((await verifyAuditTrail(db, verify)).ok, true);
  assert.equal(log[1], 'SET TRANSACTION READ ONLY');
  await exportEvidence(db, { from: '2026-03-01', to: '2026-03-01', outDir: dir, verify });
  assert.ok(
    log.every((s) => !/\blimit\b/i.test(s)),
    log.join('\n'),
  );
  assert.deepEqual(statements.flatMap(oracle121Problems), []);
});
