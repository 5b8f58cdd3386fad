import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { defaultSiteFile, loadSite, parseSite, SiteConfigError } from '../../temporal.config.ts';

test('the committed sandbox site loads, with conventions filled in', () => {
  const site = loadSite(defaultSiteFile);
  assert.equal(site.banks.length, 5);
  const icbc = site.banks.find((b) => b.code === 'ICBC');
  assert.ok(icbc);
  assert.equal(icbc.senderChannel, 'CZ.TO.ICBC');
  assert.equal(icbc.receiverChannel, 'ICBC.TO.CZ');
  assert.equal(icbc.qmgr, 'QM.ICBC');
  assert.equal(site.temporal.taskQueues.comm, 'comm-zone');
});

test('an invalid site file fails naming every wrong path', () => {
  const text = readFileSync(defaultSiteFile, 'utf8')
    .replace('code: ICBC', 'code: icbc')
    .replace('port: 14142', 'port: 99999')
    .replace('adapter: mqweb', 'adapter: carrier-pigeon');
  const err = (() => {
    try {
      parseSite(text, 'broken.yaml');
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.ok(err instanceof SiteConfigError);
  const paths = err.problems.map((p) => p.split(':')[0]);
  assert.ok(paths.includes('banks[0].code'), err.message);
  assert.ok(paths.includes('banks[1].frontEnd.port'), err.message);
  assert.ok(paths.includes('mq.adapter'), err.message);
  assert.match(err.message, /broken\.yaml/);
});

test('unknown keys, duplicate banks and a missing adapter section are refused', () => {
  const base = readFileSync(defaultSiteFile, 'utf8');
  const withTypo = base.replace('namespace: default', 'namespace: default\n  adress: x');
  assert.throws(() => parseSite(withTypo, 's.yaml'), /temporal: Unrecognized key/);
  const duplicate = base.replace('code: ABC', 'code: ICBC');
  assert.throws(() => parseSite(duplicate, 's.yaml'), /banks\[1\]\.code: duplicate bank code ICBC/);
  const noSqlite = base.replace(/sqlite:\n {4}path: .*\n/, '');
  assert.throws(() => parseSite(noSqlite, 's.yaml'), /treasury\.adapter/);
});

test('unreadable and unparsable files say so', () => {
  assert.throws(() => loadSite('/nonexistent/site.yaml'), /cannot be read/);
  assert.throws(() => parseSite('{ not json', 'x.json'), /not valid JSON/);
});
