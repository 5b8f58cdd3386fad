import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse as parseYaml, stringify } from 'yaml';
import { ensureSigningKeyPair } from '../../connectors/approvals/signing-keys.ts';
import { createLocalUserStore } from '../../connectors/users/local-store.ts';
import { freePort } from '../../scripts/lib/free-port.ts';
import { defaultSiteFile, projectRoot } from '../../temporal.config.ts';
import { testAuditSection } from '../support/audit-site.ts';
import { testPayloadKeys } from '../support/codec.ts';
import { testTemporal, type TestTemporal } from '../support/temporal.ts';
import { entryPointArgs } from '../support/test-build.ts';
import { api } from './helpers.ts';

let temporal: TestTemporal;
let dir: string;
let child: ChildProcess | undefined;

before(async () => {
  temporal = await testTemporal();
  dir = mkdtempSync(join(tmpdir(), 'jincai-inbox-main-'));
});
after(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await temporal?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('npm run inbox: starts from the site file, says "inbox ready" with its URL, serves, stops on SIGTERM', async () => {
  testPayloadKeys();
  const port = await freePort();
  const raw = parseYaml(readFileSync(defaultSiteFile, 'utf8')) as Record<string, Record<string, unknown>>;
  raw.temporal = {
    ...raw.temporal,
    address: temporal.address,
    namespace: temporal.namespace,
    ...(temporal.tls && { tls: temporal.tls }),
  };
  raw.approvals = {
    ...raw.approvals,
    signers: [{ keyId: 'main-test', publicKeyFile: join(dir, 'sign.pub') }],
    signingKey: { keyId: 'main-test', privateKeyFile: join(dir, 'sign.key') },
    users: { adapter: 'local', file: join(dir, 'users.json') },
  };
  raw.inbox = { port, publicUrl: `http://localhost:${port}`, secureCookies: true };
  raw.audit = testAuditSection(dir);
  raw.metrics = { enabled: false };
  const siteFile = join(dir, 'site.yaml');
  writeFileSync(siteFile, stringify(raw));
  ensureSigningKeyPair(join(dir, 'sign.key'), join(dir, 'sign.pub'));
  await createLocalUserStore(join(dir, 'users.json')).put(
    { id: 'li.na', displayName: '李娜', roles: ['finance-approver'] },
    'main-test-password',
  );

  const proc = spawn(process.execPath, entryPointArgs('inbox/main.ts'), {
    cwd: projectRoot,
    env: { ...process.env, JINCAI_SITE: siteFile, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));

  for (let i = 0; i < 300 && !out.includes('"inbox ready"'); i++)
    await new Promise((r) => setTimeout(r, 100));
  const ready = out
    .split('\n')
    .map((l) => {
      try {
        return JSON.parse(l) as { msg?: string; url?: string };
      } catch {
        return {};
      }
    })
    .find((l) => l.msg === 'inbox ready');
  assert.ok(ready, `no "inbox ready" line in:\n${out}`);
  assert.equal(ready.url, `http://localhost:${port}`);

  const login = await fetch(`${ready.url}/login`);
  assert.equal(login.status, 200);
  assert.match(await login.text(), /审批收件箱/);
  const session = await api(ready.url, 'POST', '/api/session', {
    body: { user: 'li.na', password: 'main-test-password' },
  });
  assert.equal(session.status, 200);
  const list = await api(ready.url, 'GET', '/api/approvals', { token: session.json.token as string });
  assert.deepEqual(list.json, { approvals: [], unavailable: 0 });
  assert.ok(!out.includes('main-test-password'), 'the password never reaches the log');

  proc.kill('SIGTERM');
  assert.equal(await exited, 0, out);
  assert.match(out, /"inbox stopped"/);
});
