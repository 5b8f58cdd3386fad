/**
 * TLS between the engine and the Temporal frontend, with the site's `temporal.tls` settings and
 * certificates from the cluster script's private CA: the frontend (a TLS front on the test's
 * server) requires a client certificate; clients, the worker entry point and the CLI connect
 * with the site's CA, client certificate and server name, and each setting really matters.
 */
import assert from 'node:assert/strict';
import { execFile, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { stringify } from 'yaml';
import { temporalConnectionOptions } from '../../connectors/temporal/connection-options.ts';
import {
  createPrivateCa,
  issueCertificate,
  type KeyPairFiles,
} from '../../scripts/lib/cluster/certificates.ts';
import { connectClient } from '../../scripts/lib/client.ts';
import { projectRoot, type TemporalTlsConfig } from '../../temporal.config.ts';
import { testPayloadKeys } from '../support/codec.ts';
import { makeTestSite, type TestSite } from '../support/site.ts';
import { testTemporal, type TestTemporal } from '../support/temporal.ts';
import { entryPointArgs } from '../support/test-build.ts';
import { startTlsFront, type TlsFront } from '../support/tls-frontend.ts';
import { startWorkerProcess } from '../support/worker-process.ts';

const execFileAsync = promisify(execFile);
const serverName = 'temporal-frontend.jincai.test';
let temporal: TestTemporal;
let front: TlsFront;
let ts: TestSite;
let ca: KeyPairFiles;
let client: KeyPairFiles;
let otherCa: KeyPairFiles;
let worker: ChildProcess | undefined;

before(async () => {
  temporal = await testTemporal();
  testPayloadKeys();
  ts = await makeTestSite({ temporalAddress: '127.0.0.1:1' });
  const caDir = join(ts.dir, 'tls');
  ca = createPrivateCa(caDir, 'jincai test CA');
  // The frontend's certificate names only a DNS name, so connecting to 127.0.0.1 needs the override.
  const frontend = issueCertificate(
    { dir: caDir, ...ca },
    { name: 'frontend', commonName: serverName, usage: 'server', dnsNames: [serverName] },
  );
  client = issueCertificate(
    { dir: caDir, ...ca },
    { name: 'worker', commonName: 'jincai-worker', usage: 'client' },
  );
  otherCa = createPrivateCa(join(ts.dir, 'other-ca'), 'someone else');
  front = await startTlsFront({
    upstream: temporal,
    ...frontend,
    clientCaFile: ca.certFile,
    requireClientCert: true,
  });
});
after(async () => {
  if (worker && worker.exitCode === null) worker.kill('SIGKILL');
  await front?.close();
  await temporal?.stop();
  ts?.cleanup();
});

const mutualTls = (): TemporalTlsConfig => ({
  caFile: ca.certFile,
  clientCertFile: client.certFile,
  clientKeyFile: client.keyFile,
  serverNameOverride: serverName,
});

/** Connects a client with these settings, or returns the error that stopped it. */
async function tryConnect(tls: TemporalTlsConfig): Promise<Error | undefined> {
  try {
    const connection = await Connection.connect({
      ...temporalConnectionOptions({ address: front.address, tls }),
      connectTimeout: '3s',
    });
    await connection.workflowService.describeNamespace({ namespace: ts.site.temporal.namespace });
    await connection.close();
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

test('a client and a worker connection with the site CA, client certificate and server name reach the frontend', async () => {
  const site = { ...ts.site, temporal: { ...ts.site.temporal, address: front.address, tls: mutualTls() } };
  const c = await connectClient(site);
  const info = await c.workflowService.describeNamespace({ namespace: site.temporal.namespace });
  assert.equal(info.namespaceInfo?.name, site.temporal.namespace);
  await c.connection.close();
  const nc = await NativeConnection.connect(temporalConnectionOptions(site.temporal));
  await nc.close();
});

test('each TLS setting matters: no client certificate, no server name, another CA are all refused', async () => {
  const refusedBefore = front.refused;
  const { clientCertFile: _cert, clientKeyFile: _key, ...noClientCert } = mutualTls();
  const { serverNameOverride: _name, ...noServerName } = mutualTls();
  assert.ok(await tryConnect(noClientCert), 'without a client certificate');
  assert.ok(front.refused > refusedBefore, 'the frontend refused the handshake');
  assert.match(String(await tryConnect(noServerName)), /certificate|name|handshake|UNAVAILABLE|Deadline/i);
  assert.ok(
    await tryConnect({ ...mutualTls(), caFile: otherCa.certFile }),
    'with a CA that did not sign the frontend',
  );
  assert.equal(await tryConnect(mutualTls()), undefined, 'and with all of them it connects');
});

test('the worker entry point and the operator CLI connect with the site file’s temporal.tls', async () => {
  const raw = { ...ts.site, temporal: { ...ts.site.temporal, address: front.address, tls: mutualTls() } };
  const siteFile = join(ts.dir, 'site-tls.yaml');
  writeFileSync(siteFile, stringify(raw));
  const env = { ...ts.env, JINCAI_SITE: siteFile };
  let log = '';
  worker = await startWorkerProcess(env, { args: ['--zones', 'comm'], onOutput: (chunk) => (log += chunk) });
  // Not spawnSync: the TLS front lives in this process and must keep relaying.
  const cli = await execFileAsync(
    process.execPath,
    [...entryPointArgs('scripts/runbook.ts'), 'list', '--limit', '1'],
    {
      cwd: projectRoot,
      env,
    },
  ).then(
    () => ({ status: 0, stderr: '' }),
    (err: { code?: number; stderr?: string }) => ({ status: err.code, stderr: err.stderr }),
  );
  assert.equal(cli.status, 0, cli.stderr);
  worker.kill('SIGTERM');
  await new Promise((done) => worker?.once('exit', done));
  assert.match(log, /"tls":true.*"worker running"/);
  assert.match(log, /worker stopped/);
});
