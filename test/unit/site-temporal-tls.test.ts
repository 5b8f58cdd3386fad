import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { defaultSiteFile, parseSite, SiteConfigError } from '../../temporal.config.ts';

const dir = mkdtempSync(join(tmpdir(), 'jincai-tls-site-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const certificate = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const privateKey = '-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n';
writeFileSync(join(dir, 'ca.pem'), certificate);
writeFileSync(join(dir, 'worker.pem'), certificate);
writeFileSync(join(dir, 'worker.key'), privateKey);

/** The sandbox site with a `temporal.tls` section, written next to the PEM files. */
function siteWithTls(tls: string): string {
  const text = readFileSync(defaultSiteFile, 'utf8').replace(
    'namespace: default',
    `namespace: default\n  tls:\n${tls
      .trim()
      .split('\n')
      .map((l) => `    ${l.trim()}`)
      .join('\n')}`,
  );
  const file = join(dir, 'site.yaml');
  writeFileSync(file, text);
  return file;
}

function problems(file: string): string[] {
  try {
    parseSite(readFileSync(file, 'utf8'), file);
  } catch (err) {
    if (err instanceof SiteConfigError) return err.problems;
    throw err;
  }
  return [];
}

test('temporal.tls: paths relative to the site file become absolute; mutual TLS and a server name', () => {
  const file = siteWithTls(`
    caFile: ca.pem
    clientCertFile: worker.pem
    clientKeyFile: ./worker.key
    serverNameOverride: temporal-frontend.bureau.local`);
  const site = parseSite(readFileSync(file, 'utf8'), file);
  assert.deepEqual(site.temporal.tls, {
    caFile: join(dir, 'ca.pem'),
    clientCertFile: join(dir, 'worker.pem'),
    clientKeyFile: join(dir, 'worker.key'),
    serverNameOverride: 'temporal-frontend.bureau.local',
  });
});

test('temporal.tls: an empty section is TLS with the system roots; no section is plain TCP', () => {
  const withTls = siteWithTls('{}');
  assert.deepEqual(parseSite(readFileSync(withTls, 'utf8'), withTls).temporal.tls, {});
  assert.equal(parseSite(readFileSync(defaultSiteFile, 'utf8'), defaultSiteFile).temporal.tls, undefined);
});

test('temporal.tls: a certificate without its key (or the other way round) is refused naming the missing field', () => {
  assert.deepEqual(problems(siteWithTls('clientCertFile: worker.pem')), [
    'temporal.tls.clientKeyFile: required with clientCertFile (mutual TLS needs both)',
  ]);
  assert.deepEqual(problems(siteWithTls('clientKeyFile: worker.key')), [
    'temporal.tls.clientCertFile: required with clientKeyFile (mutual TLS needs both)',
  ]);
  assert.match(
    problems(siteWithTls('caFlie: ca.pem'))[0] ?? '',
    /^temporal\.tls: Unrecognized key: "caFlie"/,
  );
});

test('temporal.tls: every unreadable file and every file without its PEM block is named, with its path', () => {
  const found = problems(
    siteWithTls(`
      caFile: worker.key
      clientCertFile: missing.pem
      clientKeyFile: ca.pem`),
  );
  assert.deepEqual(found, [
    `temporal.tls.caFile: ${join(dir, 'worker.key')} holds no PEM CERTIFICATE`,
    `temporal.tls.clientCertFile: cannot read ${join(dir, 'missing.pem')} (ENOENT)`,
    `temporal.tls.clientKeyFile: ${join(dir, 'ca.pem')} holds no PEM PRIVATE KEY`,
  ]);
});
