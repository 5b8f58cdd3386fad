import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { createAuditActivities } from '../../activities/audit.ts';
import { openAuditDb } from '../../connectors/audit/database.ts';
import { projectRoot } from '../../temporal.config.ts';
import { makeTestSite, type TestSite } from '../support/site.ts';
import { runEntries } from './helpers.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runbook(site: TestSite, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/runbook.ts', ...args], {
      cwd: projectRoot,
      env: site.env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A site like the sandbox; makeTestSite gives it an audit store of its own, not yet created. */
async function auditSite(t: { after(fn: () => void): void }): Promise<{ site: TestSite; auditPath: string }> {
  // Never contacted: these commands must not need Temporal.
  const site = await makeTestSite({ temporalAddress: '127.0.0.1:1' });
  t.after(() => site.cleanup());
  const auditPath = site.site.audit.sqlite?.path ?? '';
  assert.ok(auditPath.startsWith(site.dir), 'the audit store is private to the test');
  return { site, auditPath };
}

async function fill(auditPath: string): Promise<void> {
  const db = await openAuditDb({ adapter: 'sqlite', sqlite: { path: auditPath } });
  try {
    const { appendAudit } = createAuditActivities({
      db,
      now: () => new Date('2026-03-02T02:00:00.000Z'),
    });
    for (const e of runEntries()) await appendAudit(e);
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

  await fill(auditPath);
  const intact = await runbook(site, 'audit', 'verify');
  assert.equal(intact.code, 0, intact.stderr);
  assert.match(intact.stdout, /Audit trail intact: 5 record\(s\), last seq 5/);

  const raw = new Database(auditPath);
  raw.prepare(`update audit_records set payload = '{"result":"forged"}' where seq = 5`).run();
  raw.prepare('delete from audit_records where seq = 2').run();
  raw.close();
  const broken = await runbook(site, 'audit', 'verify');
  assert.equal(broken.code, 1, broken.stderr);
  assert.match(broken.stdout, /NOT intact: 2 problem/);
  assert.match(broken.stdout, /seq 2 {2}removed/);
  assert.match(broken.stdout, /seq 5 {2}altered/);

  const usage = await runbook(site, 'audit', 'check');
  assert.equal(usage.code, 2);
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

  await fill(auditPath);
  const done = await runbook(site, 'evidence', '--from', '2026-03-02', '--to', '2026-03-02', '--out', out);
  assert.equal(done.code, 0, done.stderr);
  assert.match(done.stdout, /5 record\(s\) in 1 run\(s\)/);
  const bundle = JSON.parse(readFileSync(join(out, 'evidence.json'), 'utf8')) as {
    records: unknown[];
    site: string;
  };
  assert.equal(bundle.records.length, 5);
  assert.equal(bundle.site, site.site.site.name);
  assert.match(readFileSync(join(out, 'evidence.html'), 'utf8'), /审批决定/);

  const byDefault = await runbook(site, 'evidence', '--from', '2026-03-01', '--to', '2026-03-02');
  assert.equal(byDefault.code, 0, byDefault.stderr);
  assert.ok(existsSync(join(site.site.reports.dir, 'evidence', '2026-03-01_2026-03-02', 'evidence.html')));
});
