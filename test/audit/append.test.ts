import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createAuditActivities } from '../../activities/audit.ts';
import { openAuditDb } from '../../connectors/audit/database.ts';
import { GENESIS_HASH, recordHash, type AuditRecord } from '../../connectors/audit/record.ts';
import { createSiteAuditWriter } from '../../connectors/audit/site-audit.ts';
import { projectRoot } from '../../temporal.config.ts';
import { runEntries, tempAuditStore, type TempAuditStore } from './helpers.ts';

const rows = (store: TempAuditStore) =>
  store.rows('select * from audit_records order by seq') as AuditRecord[];

test('appends chain each record to the one before, from the genesis hash', async (t) => {
  const store = await tempAuditStore();
  t.after(() => store.cleanup());
  const { appendAudit } = store;
  const entries = runEntries();
  const results = [];
  for (const e of entries) results.push(await appendAudit(e));

  assert.deepEqual(
    results.map((r) => r.seq),
    [1, 2, 3, 4, 5],
  );
  const stored = rows(store);
  assert.equal(stored[0]!.prev_hash, GENESIS_HASH);
  for (const [i, r] of stored.entries()) {
    assert.equal(r.hash, results[i]!.hash);
    assert.equal(r.hash, recordHash(r.prev_hash, r));
    if (i > 0) assert.equal(r.prev_hash, stored[i - 1]!.hash);
    assert.match(r.recorded_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
  // The payload is canonical JSON: sorted keys, no whitespace.
  const { planDigest } = JSON.parse(stored[1]!.payload) as { planDigest: string };
  assert.equal(
    stored[3]!.payload,
    `{"action":"START CHANNEL('CZ.TO.ICBC')","after":{"status":"RUNNING"},"alreadyDone":false,` +
      `"approvedBy":[{"role":"comm-approver","user":"fin.li"}],"before":{"status":"RETRYING"},` +
      `"gateId":"restart-1","planDigest":"${planDigest}","target":"QM.CZ"}`,
  );
  assert.equal(stored[0]!.actor, 'eng.zhang');
  assert.equal(stored[0]!.subject, 'CZ.TO.ICBC');
});

test('a retried append with the same idempotency key returns the existing record', async (t) => {
  const store = await tempAuditStore();
  t.after(() => store.cleanup());
  const { appendAudit } = store;
  const [started, plan] = runEntries();
  const first = await appendAudit(started!);
  await appendAudit(plan!);
  const retry = await appendAudit(started!);
  assert.deepEqual(retry, first);
  assert.equal(rows(store).length, 2);
  assert.equal((await store.verify()).ok, true);
});

test('an idempotency key reused for another kind is refused, not silently merged', async (t) => {
  const store = await tempAuditStore();
  t.after(() => store.cleanup());
  const { appendAudit } = store;
  const [started, , , , outcome] = runEntries();
  await appendAudit(started!);
  await assert.rejects(
    appendAudit({ ...outcome!, idempotencyKey: started!.idempotencyKey }),
    (err: unknown) =>
      err instanceof ApplicationFailure &&
      err.type === 'InvalidInput' &&
      err.nonRetryable &&
      /already names seq 1/.test(err.message),
  );
  assert.equal(rows(store).length, 1);
});

test('bad entries are refused naming the field; raw runbook input never enters the trail', async (t) => {
  const store = await tempAuditStore();
  t.after(() => store.cleanup());
  const { appendAudit } = store;
  const [started, plan, , mutation] = runEntries();
  const refused = async (entry: unknown, pattern: RegExp) =>
    assert.rejects(
      appendAudit(entry as Parameters<typeof appendAudit>[0]),
      (err: unknown) =>
        err instanceof ApplicationFailure &&
        err.type === 'InvalidInput' &&
        err.nonRetryable &&
        pattern.test(err.message),
    );
  await refused(
    {
      ...started!,
      payload: { ...(started!.payload as object), input: { payeeAccount: '6222020200112233' } },
    },
    /entry\.payload: Unrecognized key.*"input"/,
  );
  await refused(
    { ...plan!, payload: { ...(plan!.payload as object), planDigest: 'f'.repeat(64) } },
    /entry\.payload\.planDigest/,
  );
  await refused({ ...mutation!, payload: { action: 'x', after: 1 } }, /entry\.payload\.before: required/);
  await refused({ ...started!, kind: 'deleted' }, /entry\.kind/);
  await refused({ ...started!, idempotencyKey: '' }, /entry\.idempotencyKey/);
  assert.equal(rows(store).length, 0);
});

test('two connections appending at once keep one valid, gapless chain', async (t) => {
  const store = await tempAuditStore();
  const other = await openAuditDb(store.audit);
  t.after(async () => {
    await other.destroy();
    await store.cleanup();
  });
  const a = createAuditActivities({ audit: store.writer });
  const b = createAuditActivities({ audit: createSiteAuditWriter(other, store.audit) });
  // Thirty runs at once, each appending its records in order as a runbook does, over both connections.
  const runs = Array.from({ length: 30 }, () => runEntries());
  const entries = runs.flat();
  const results = (
    await Promise.all(
      runs.map(async (run) => {
        const seqs = [];
        for (const [i, e] of run.entries()) seqs.push(await (i % 2 ? a : b).appendAudit(e));
        return seqs;
      }),
    )
  ).flat();

  assert.deepEqual(
    results.map((r) => r.seq).sort((x, y) => x - y),
    entries.map((_, i) => i + 1),
  );
  const verdict = await store.verify();
  assert.deepEqual(verdict.problems, []);
  assert.equal(verdict.records, entries.length);
});

test('two processes appending at once keep one valid, gapless chain and a head file that never moves back', async (t) => {
  const store = await tempAuditStore();
  t.after(() => store.cleanup());
  const perProcess = 60;
  const children = ['a', 'b'].map((name) =>
    spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'test/audit/append-child.ts',
        store.dir,
        `wf-${name}-${randomUUID()}`,
        String(perProcess),
      ],
      { cwd: projectRoot, stdio: ['pipe', 'pipe', 'inherit'] },
    ),
  );
  t.after(() => children.forEach((c) => c.exitCode === null && c.kill()));
  const outputs = children.map((c) => {
    let out = '';
    c.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    return () => out;
  });
  const readyBy = Date.now() + 60_000;
  while (!outputs.every((o) => o().includes('ready'))) {
    assert.ok(Date.now() < readyBy, 'children did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
  children.forEach((c) => c.stdin.end('go\n'));
  // Watch the head file while both write it: every reading is whole (atomic rename) and no later
  // reading names an older seq than an earlier one.
  const headSeqs: number[] = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const text = await readFile(store.audit.headFile, 'utf8').catch(() => undefined);
      if (text !== undefined) headSeqs.push((JSON.parse(text) as { seq: number }).seq);
      await new Promise((r) => setImmediate(r));
    }
  })();
  const codes = await Promise.all(
    children.map(async (c) => (c.exitCode ?? (await once(c, 'exit'))[0]) as number),
  );
  watching = false;
  await watcher;
  assert.deepEqual(codes, [0, 0]);
  assert.ok(new Set(headSeqs).size > 10, `the head file was seen moving (${new Set(headSeqs).size} values)`);
  assert.deepEqual(
    headSeqs,
    [...headSeqs].sort((x, y) => x - y),
    'the head file never moved back',
  );
  const finalHead = JSON.parse(await readFile(store.audit.headFile, 'utf8')) as { seq: number };
  assert.equal(finalHead.seq, 2 * perProcess);

  const seqs = outputs.map((o) => JSON.parse(o().split('\n')[1]!) as number[]);
  // Both really ran at the same time: each one's seqs interleave with the other's.
  assert.ok(Math.min(...seqs[1]!) < Math.max(...seqs[0]!) && Math.min(...seqs[0]!) < Math.max(...seqs[1]!));
  const verdict = await store.verify();
  assert.deepEqual(verdict.problems, []);
  assert.equal(verdict.records, 2 * perProcess);
});
