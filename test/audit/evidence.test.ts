import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { EvidenceRangeError, exportEvidence, type EvidenceBundle } from '../../connectors/audit/evidence.ts';
import { GENESIS_HASH, type AuditEntryInput } from '../../connectors/audit/record.ts';
import { canonicalJson } from '../../domain/canonical-json.ts';
import { clock, decisionEntry, runEntries, tempAuditStore, type TempAuditStore } from './helpers.ts';

const hostile = '<script>alert(1)</script>';

/**
 * Run A on 1 March (Beijing), run B straddling midnight into 2 March (its first record at
 * 23:59:59.999 on 1 March), run C on 3 March: fifteen records.
 */
async function threeDays(t: { after(fn: () => Promise<void>): void }) {
  const a = runEntries('channel-recovery/CZ.TO.ICBC/2026-03-01');
  const { workflowId, runId = '', runbook } = a[0]!;
  const { planDigest } = a[1]!.payload as { planDigest: string };
  a[2] = decisionEntry(
    { workflowId, runId, runbook },
    {
      gateId: 'restart-1',
      step: 'restart',
      planDigest,
      user: 'fin.li',
      displayName: '李审批',
      reason: `同意 ${hostile}`,
    },
  );
  a[3] = { ...a[3]!, subject: `CZ.TO.ICBC ${hostile}` };
  const times = [
    ...['02:00', '02:01', '02:30', '02:31', '02:32'].map((hm) => `2026-03-01T${hm}:00.000Z`),
    '2026-03-01T15:59:59.999Z',
    '2026-03-01T16:00:00.000Z',
    '2026-03-02T01:00:00.000Z',
    '2026-03-02T01:01:00.000Z',
    '2026-03-02T15:59:59.999Z',
    ...['01:00', '01:01', '01:02', '01:03', '01:04'].map((hm) => `2026-03-03T${hm}:00.000Z`),
  ];
  const store = await tempAuditStore({ now: clock(...times) });
  t.after(() => store.cleanup());
  const entries: AuditEntryInput[] = [...a, ...runEntries('b'), ...runEntries('c')];
  for (const e of entries) await store.appendAudit(e);
  return store;
}

/**
 * The check a reader of the bundle makes, written from `hashRule` and `signatureRule` alone, with
 * the audit public key as the site file lists it (raw 32 bytes, base64).
 */
function recomputeChain(bundle: EvidenceBundle, publicKeyFile: string): string {
  const x = Buffer.from(readFileSync(publicKeyFile, 'utf8').trim(), 'base64').toString('base64url');
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  let prev = bundle.anchors.before.hash!;
  for (const r of bundle.records) {
    assert.equal(r.prev_hash, prev, `seq ${r.seq} chains from the previous hash`);
    const { prev_hash: _p, hash: _h, key_id: _k, signature, ...content } = r;
    const hash = createHash('sha256')
      .update(prev + canonicalJson(content))
      .digest('hex');
    assert.equal(hash, r.hash, `seq ${r.seq} recomputes`);
    const signed = Buffer.from(`jincai-audit-record/v1\n${hash}`, 'utf8');
    assert.ok(verify(null, signed, publicKey, Buffer.from(signature ?? '', 'hex')), `seq ${r.seq} is signed`);
    prev = hash;
  }
  return prev;
}

test('evidence for business days: the records, anchors that tie them to the chain, a Chinese page', async (t) => {
  const store = await threeDays(t);
  const outDir = join(store.dir, 'out');
  const { bundle, jsonFile, htmlFile } = await exportEvidence(store.db, {
    from: '2026-03-01',
    to: '2026-03-02',
    outDir,
    siteName: '示例县财政局',
    verify: await store.verifyOptions(),
  });
  const json = JSON.parse(readFileSync(jsonFile, 'utf8')) as EvidenceBundle;
  assert.deepEqual(json, bundle);
  assert.deepEqual(
    json.records.map((r) => r.seq),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  assert.deepEqual(json.range, {
    from: '2026-03-01',
    to: '2026-03-02',
    timeZone: 'Asia/Shanghai',
    fromUtc: '2026-02-28T16:00:00.000Z',
    toUtcExclusive: '2026-03-02T16:00:00.000Z',
  });
  assert.deepEqual(json.anchors.before, { seq: 0, hash: GENESIS_HASH });
  assert.deepEqual(json.anchors.end, { seq: 10, hash: json.records[9]!.hash });
  assert.equal(recomputeChain(json, publicKeyFile(store)), json.anchors.end.hash);
  assert.equal(json.verification.chain.ok, true);
  assert.equal(json.verification.range.ok, true);
  assert.equal(json.chainHead?.seq, 15);
  // The signed head the export was made at, as the head file held it: it anchors later checks.
  assert.deepEqual(json.head, JSON.parse(readFileSync(store.audit.headFile, 'utf8')));
  assert.equal(json.head?.seq, 15);
  assert.match(json.signatureRule, /jincai-audit-record\/v1/);
  // The run-started payload is the requester and a digest, not the input.
  assert.deepEqual(Object.keys(JSON.parse(json.records[0]!.payload) as object), ['inputDigest', 'requester']);

  const html = readFileSync(htmlFile, 'utf8');
  for (const label of [
    '审计证据',
    '运行',
    '计划',
    '审批决定',
    '执行操作',
    '结果',
    '完整',
    '李审批（fin.li）',
    '批准',
    '启动发送通道',
    'fin.li（comm-approver）',
    '导出时的签名链头（审计库之外）',
  ])
    assert.ok(html.includes(label), `page shows ${label}`);
  assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;'));
  assert.ok(!/<script/i.test(html), 'nothing from the trail is live markup');
  assert.ok(html.includes('2026-03-01 10:30:00'), 'times are shown in Beijing time');
});

test('a later range chains from the record before it; Beijing midnight is the day boundary', async (t) => {
  const store = await threeDays(t);
  const { bundle } = await exportEvidence(store.db, {
    from: '2026-03-02',
    to: '2026-03-02',
    outDir: join(store.dir, 'd2'),
    verify: await store.verifyOptions(),
  });
  assert.deepEqual(
    bundle.records.map((r) => r.seq),
    [7, 8, 9, 10],
  );
  const before = await store.db
    .selectFrom('audit_records')
    .select('hash')
    .where('seq', '=', 6)
    .executeTakeFirstOrThrow();
  assert.deepEqual(bundle.anchors.before, { seq: 6, hash: before.hash });
  assert.equal(recomputeChain(bundle, publicKeyFile(store)), bundle.anchors.end.hash);
});

test('a range with no records still anchors to the chain, by default under reports/evidence', async (t) => {
  const store = await threeDays(t);
  const reportsDir = join(store.dir, 'reports');
  const { bundle, dir } = await exportEvidence(store.db, {
    from: '2026-03-10',
    to: '2026-03-12',
    reportsDir,
    verify: await store.verifyOptions(),
  });
  assert.equal(dir, join(reportsDir, 'evidence', '2026-03-10_2026-03-12'));
  assert.ok(existsSync(join(dir, 'evidence.json')) && existsSync(join(dir, 'evidence.html')));
  assert.deepEqual(bundle.records, []);
  assert.equal(bundle.anchors.before.seq, 15);
  assert.deepEqual(bundle.anchors.end, bundle.anchors.before);
  assert.ok(readFileSync(join(dir, 'evidence.html'), 'utf8').includes('该期间没有审计记录。'));
});

test('a tampered trail is exported with its problems recorded', async (t) => {
  const store = await threeDays(t);
  store.tamper(`update audit_records set actor = 'nobody' where seq = 8`);
  const { bundle, htmlFile } = await exportEvidence(store.db, {
    from: '2026-03-02',
    to: '2026-03-02',
    outDir: join(store.dir, 'x'),
    verify: await store.verifyOptions(),
  });
  // Seq 8 is run B's decision: its actor no longer names the person who signed it either.
  const expected = [
    [8, 'altered'],
    [8, 'decision'],
  ];
  assert.deepEqual(
    bundle.verification.chain.problems.map((p) => [p.seq, p.kind]),
    expected,
  );
  assert.deepEqual(
    bundle.verification.range.problems.map((p) => [p.seq, p.kind]),
    expected,
  );
  const html = readFileSync(htmlFile, 'utf8');
  assert.ok(html.includes('发现问题') && html.includes('记录被改动') && html.includes('审批决定核验失败'));
});

test('a bad range is refused naming the field, before anything is written', async (t) => {
  const store = await threeDays(t);
  const outDir = join(store.dir, 'never');
  for (const [from, to, field] of [
    ['2026-03-02', '2026-03-01', /^from: .*after to/],
    ['2026-02-30', '2026-03-01', /^from: expected a real date/],
    ['2026-03-01', '3/2/2026', /^to: expected a real date/],
  ] as const) {
    await assert.rejects(
      exportEvidence(store.db, { from, to, outDir, verify: await store.verifyOptions() }),
      (err: unknown) => err instanceof EvidenceRangeError && field.test(err.problems[0] ?? ''),
    );
  }
  assert.equal(existsSync(outDir), false);
});

function publicKeyFile(store: TempAuditStore): string {
  return store.audit.signers[0]?.publicKeyFile ?? '';
}
