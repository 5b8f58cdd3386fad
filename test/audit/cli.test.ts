import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { loadSignerKeys, loadSigningKey } from '../../connectors/approvals/signing-keys.ts';
import { openAuditDb } from '../../connectors/audit/database.ts';
import { recordHash, type AuditRecord } from '../../connectors/audit/record.ts';
import { createSiteAuditWriter } from '../../connectors/audit/site-audit.ts';
import { runCli } from '../support/cli.ts';
import { makeTestSite, type TestSite } from '../support/site.ts';
import { runEntries, type FrontDoorKey } from './helpers.ts';

const runbook = (site: TestSite, ...args: string[]) => runCli(args, site.env);

/** A site like the sandbox; makeTestSite gives it an audit store of its own, not yet created. */
async function auditSite(t: { after(fn: () => void): void }): Promise<{ site: TestSite; auditPath: string }> {
  // Never contacted: these commands must not need Temporal.
  const site = await makeTestSite({ temporalAddress: '127.0.0.1:1' });
  t.after(() => site.cleanup());
  const auditPath = site.site.audit.sqlite?.path ?? '';
  assert.ok(auditPath.startsWith(site.dir), 'the audit store is private to the test');
  return { site, auditPath };
}

/** The site's front door, as the inbox signs decisions. */
function frontDoor(site: TestSite): FrontDoorKey {
  const signer = loadSignerKeys(site.site.approvals)[0];
  assert.ok(signer);
  return { signingKey: loadSigningKey(site.site.approvals), signer };
}

/** Appends `runs` runs' records (five each) as the site's runbooks worker would. */
async function fill(site: TestSite, runs = 1): Promise<void> {
  const db = await openAuditDb(site.site.audit);
  try {
    const writer = createSiteAuditWriter(db, site.site.audit, () => new Date('2026-03-02T02:00:00.000Z'));
    for (let i = 0; i < runs; i++)
      for (const e of runEntries(undefined, frontDoor(site))) await writer.append(e);
  } finally {
    await db.destroy();
  }
}

test('runbook audit verify: 0 when intact, 1 with the problems when not', async (t) => {
  const { site, auditPath } = await auditSite(t);
  const missing = await runbook(site, 'audit', 'verify');
  assert.equal(missing.code, 1, missing.stderr);
  assert.match(missing.stderr, /Cannot open the audit store/);
  assert.equal(existsSync(auditPath), false, 'verifying does not create a store');

  await fill(site);
  const intact = await runbook(site, 'audit', 'verify');
  assert.equal(intact.code, 0, intact.stderr);
  assert.match(intact.stdout, /Audit trail intact: 5 record\(s\), last seq 5/);
  assert.match(intact.stdout, /5 record\(s\) signed with an audit key, each verified/);
  assert.match(
    intact.stdout,
    /Anchored: the signed head in .*audit-head\.json \(seq 5\) is held by the store/,
  );

  const raw = new Database(auditPath);
  raw.prepare(`update audit_records set payload = '{"result":"forged"}' where seq = 5`).run();
  raw.prepare('delete from audit_records where seq = 2').run();
  raw.close();
  const broken = await runbook(site, 'audit', 'verify');
  assert.equal(broken.code, 1, broken.stderr);
  assert.match(broken.stdout, /NOT intact: 3 problem/);
  assert.match(broken.stdout, /seq 2 {2}removed/);
  assert.match(
    broken.stdout,
    /seq 3 {2}decision: seq 3: no plan record of gate restart-1 in this run precedes/,
  );
  assert.match(broken.stdout, /seq 5 {2}altered/);

  const usage = await runbook(site, 'audit', 'check');
  assert.equal(usage.code, 2);
});

/** Runs `runbook audit verify` on a broken trail: exit 1 and `count` problems; returns what it printed. */
async function verifyBroken(site: TestSite, count: number): Promise<string> {
  const run = await runbook(site, 'audit', 'verify');
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stdout, new RegExp(`NOT intact: ${count} problem`));
  return run.stdout;
}

/** Rewrites records as someone with write access to the store would, re-hashing from `from` on. */
function rewrite(auditPath: string, from: number, change: (r: AuditRecord) => AuditRecord): void {
  const raw = new Database(auditPath);
  try {
    const rows = raw
      .prepare('select * from audit_records where seq >= ? order by seq')
      .all(from) as AuditRecord[];
    let prev = rows[0]!.prev_hash;
    const update = raw.prepare(
      'update audit_records set actor = ?, payload = ?, prev_hash = ?, hash = ? where seq = ?',
    );
    for (const row of rows) {
      const r = row.seq === from ? change(row) : row;
      const hash = recordHash(prev, r);
      update.run(r.actor, r.payload, prev, hash, r.seq);
      prev = hash;
    }
    raw.prepare('update audit_chain_head set last_hash = ? where id = 1').run(prev);
  } finally {
    raw.close();
  }
}

test('runbook audit verify: a trail truncated with its head row moved back is caught at the missing records', async (t) => {
  const { site, auditPath } = await auditSite(t);
  await fill(site, 2);
  const raw = new Database(auditPath);
  const eight = raw.prepare('select hash from audit_records where seq = 8').get() as { hash: string };
  raw.prepare('delete from audit_records where seq > 8').run();
  raw.prepare('update audit_chain_head set last_seq = 8, last_hash = ? where id = 1').run(eight.hash);
  raw.close();

  const stdout = await verifyBroken(site, 1);
  assert.match(
    stdout,
    /seq 9 {2}truncated: records seq 9–10 are missing at the end: the store ends at seq 8, the head signed in \S*audit-head\.json at \S+ records seq 10 \(truncated\)/,
  );
});

test('runbook audit verify: a decision rewritten, with every record after it re-hashed, is caught from that record on', async (t) => {
  const { site, auditPath } = await auditSite(t);
  await fill(site, 2);
  rewrite(auditPath, 3, (r) => ({ ...r, payload: r.payload.replaceAll('同意重启', '局长已同意，立即执行') }));

  const stdout = await verifyBroken(site, 3);
  assert.match(
    stdout,
    /seq 3 {2}signature: seq 3–10 \(each\) has a signature that does not verify with audit key "test-audit": written without the audit key, or rewritten and re-hashed/,
  );
  assert.match(
    stdout,
    /seq 3 {2}decision: seq 3: the decision by fin\.li on gate restart-1 has a signature that does not verify with approvals\.signers \(key "test-inbox"\)/,
  );
  assert.match(
    stdout,
    /seq 10 {2}altered: seq 10 is not the record the head signed in \S*audit-head\.json at \S+ anchors/,
  );
});

test('runbook audit verify: an "approved by the director" record written straight into the store is caught', async (t) => {
  const { site, auditPath } = await auditSite(t);
  await fill(site);
  const raw = new Database(auditPath);
  const [plan, last] = [2, 5].map(
    (seq) => raw.prepare('select * from audit_records where seq = ?').get(seq) as AuditRecord,
  );
  const { planDigest } = JSON.parse(plan!.payload) as { planDigest: string };
  const claims = {
    v: 1,
    workflowId: plan!.workflow_id,
    gateId: 'restart-1',
    planDigest,
    verdict: 'approve',
    user: 'demo-director',
    via: 'inbox',
    issuedAt: '2026-03-02T02:00:00.000Z',
    nonce: 'f'.repeat(32),
  };
  const forged = {
    ...plan!,
    seq: 6,
    kind: 'decision' as const,
    actor: 'demo-director',
    payload: JSON.stringify({
      user: 'demo-director',
      displayName: '局长',
      verdict: 'approve',
      at: claims.issuedAt,
      via: 'inbox',
      keyId: 'test-inbox',
      nonce: claims.nonce,
      signature: 'ab'.repeat(64),
      planDigest,
      step: 'restart',
      claims,
    }),
    idempotency_key: `${plan!.workflow_id}/decision/${claims.nonce}`,
    prev_hash: last!.hash,
  };
  const hash = recordHash(last!.hash, forged);
  raw
    .prepare(
      `insert into audit_records (seq, recorded_at, workflow_id, run_id, runbook, kind, actor, subject, payload,
         idempotency_key, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      6,
      forged.recorded_at,
      forged.workflow_id,
      forged.run_id,
      forged.runbook,
      forged.kind,
      forged.actor,
      forged.subject,
      forged.payload,
      forged.idempotency_key,
      forged.prev_hash,
      hash,
    );
  raw.prepare('update audit_chain_head set last_seq = 6, last_hash = ? where id = 1').run(hash);
  raw.close();

  const stdout = await verifyBroken(site, 2);
  assert.match(
    stdout,
    /seq 6 {2}signature: seq 6 carries no audit signature: written without the audit key, or rewritten and re-hashed/,
  );
  assert.match(
    stdout,
    /seq 6 {2}decision: seq 6: the decision by demo-director on gate restart-1 has a signature that does not verify with approvals\.signers/,
  );
});

test('runbook evidence: refuses bad dates naming the flag (exit 2, nothing written), exports good ones', async (t) => {
  const { site, auditPath } = await auditSite(t);
  const out = join(site.dir, 'evidence-out');
  for (const [args, flag] of [
    [['--from', '2026-03-02'], /^--to: required/m],
    [['--from', '2026-3-2', '--to', '2026-03-02'], /^--from: expected a real date/m],
    [['--from', '2026-03-02', '--to', '2026-02-29'], /^--to: expected a real date/m],
    [['--from', '2026-03-03', '--to', '2026-03-02'], /^--from: 2026-03-03 is after to/m],
  ] as const) {
    const run = await runbook(site, 'evidence', ...args, '--out', out);
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, flag);
  }
  assert.equal(existsSync(out), false);
  assert.equal(existsSync(auditPath), false);

  await fill(site);
  const done = await runbook(site, 'evidence', '--from', '2026-03-02', '--to', '2026-03-02', '--out', out);
  assert.equal(done.code, 0, done.stderr);
  assert.match(done.stdout, /5 record\(s\) in 1 run\(s\)/);
  const evidenceJson = join(out, 'evidence.json');
  const bundle = JSON.parse(readFileSync(evidenceJson, 'utf8')) as {
    records: unknown[];
    site: string;
    head: { seq: number } | null;
  };
  assert.equal(bundle.records.length, 5);
  assert.equal(bundle.site, site.site.site.name);
  assert.equal(bundle.head?.seq, 5);

  // The export anchors later checks; an anchor that is not there is a usage error.
  const anchored = await runbook(site, 'audit', 'verify', '--anchor', evidenceJson);
  assert.equal(anchored.code, 0, anchored.stdout);
  assert.match(anchored.stdout, new RegExp(`Anchored: the signed head in ${evidenceJson} \\(seq 5\\)`));
  const noAnchor = await runbook(site, 'audit', 'verify', '--anchor', join(site.dir, 'nowhere.json'));
  assert.equal(noAnchor.code, 2);
  assert.match(noAnchor.stderr, /--anchor: no file/);
  assert.match(readFileSync(join(out, 'evidence.html'), 'utf8'), /审批决定/);

  const byDefault = await runbook(site, 'evidence', '--from', '2026-03-01', '--to', '2026-03-02');
  assert.equal(byDefault.code, 0, byDefault.stderr);
  assert.ok(existsSync(join(site.site.reports.dir, 'evidence', '2026-03-01_2026-03-02', 'evidence.html')));
});
