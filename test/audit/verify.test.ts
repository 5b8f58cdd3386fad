import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordHash, type AuditRecord } from '../../connectors/audit/record.ts';
import { verifyRecords, type AuditVerification } from '../../connectors/audit/verify.ts';
import { filledStore } from './helpers.ts';

const brief = (r: AuditVerification) => r.problems.map((p) => [p.seq, p.kind]);

test('an untouched trail verifies', async (t) => {
  const store = await filledStore(t);
  const result = await store.verify();
  assert.deepEqual(result.problems, []);
  assert.equal(result.ok, true);
  assert.equal(result.records, 10);
  assert.equal(result.last.seq, 10);
});

test('a payload changed with SQL is caught at its seq', async (t) => {
  const store = await filledStore(t);
  store.tamper(`update audit_records set payload = replace(payload, '"approve"', '"reject"') where seq = 3`);
  const result = await store.verify();
  assert.equal(result.ok, false);
  // The verdict inside the signed claims changed with it, so the front door's signature fails too.
  assert.deepEqual(brief(result), [
    [3, 'altered'],
    [3, 'decision'],
  ]);
  assert.match(result.problems[0]!.problem, /seq 3 does not match its hash/);
  assert.match(result.problems[1]!.problem, /does not verify with approvals\.signers/);
});

test('a record rewritten together with a recomputed hash is caught through the next link', async (t) => {
  const store = await filledStore(t);
  const raw = (await store.db
    .selectFrom('audit_records')
    .selectAll()
    .where('seq', '=', 7)
    .executeTakeFirstOrThrow()) as AuditRecord;
  const forged = { ...raw, actor: 'someone.else' };
  store.tamper(
    `update audit_records set actor = ?, hash = ? where seq = 7`,
    forged.actor,
    recordHash(raw.prev_hash, forged),
  );
  const result = await store.verify();
  assert.deepEqual(brief(result), [
    [7, 'altered'],
    [7, 'signature'],
  ]);
  assert.match(result.problems[0]!.problem, /not the record seq 8 was chained to/);
  assert.match(
    result.problems[1]!.problem,
    /^seq 7 has a signature that does not verify with audit key "test-audit"/,
  );
});

test('a deleted record is caught as removed, in the middle and at the end', async (t) => {
  const store = await filledStore(t);
  store.tamper('delete from audit_records where seq = 4');
  assert.deepEqual(brief(await store.verify()), [[4, 'removed']]);
  store.tamper('delete from audit_records where seq in (9, 10)');
  const result = await store.verify();
  assert.deepEqual(brief(result), [
    [4, 'removed'],
    [9, 'removed'],
    [9, 'truncated'],
  ]);
  assert.match(result.problems[1]!.problem, /records seq 9–10 are missing at the end/);
});

test('two swapped records are caught as reordered', async (t) => {
  const store = await filledStore(t);
  store.tamper('update audit_records set seq = -1 where seq = 5');
  store.tamper('update audit_records set seq = 5 where seq = 6');
  store.tamper('update audit_records set seq = 6 where seq = -1');
  const result = await store.verify();
  assert.deepEqual(brief(result), [
    [5, 'reordered'],
    [6, 'reordered'],
  ]);
  assert.match(result.problems[0]!.problem, /seq 5 holds the record written as seq 6/);
});

test('a duplicated seq is named (a copy of the store without its constraints)', async (t) => {
  const store = await filledStore(t);
  const rows = (await store.db
    .selectFrom('audit_records')
    .selectAll()
    .orderBy('seq')
    .execute()) as AuditRecord[];
  const copy = [...rows.slice(0, 3), rows[2]!, ...rows.slice(3)];
  const { keys } = await store.verifyOptions();
  const result = verifyRecords(copy, { keys, legacyUntil: 0, end: { seq: 10, hash: rows[9]!.hash } });
  assert.deepEqual(
    result.problems.map((p) => [p.seq, p.kind]),
    [[3, 'duplicated']],
  );
});
