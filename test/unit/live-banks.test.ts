import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { parse as parseYaml, stringify } from 'yaml';
import { createControlActivities } from '../../activities/control.ts';
import { liveBanks, requireBank } from '../../activities/site-lookup.ts';
import { defaultSiteFile, parseSite } from '../../temporal.config.ts';

const dir = mkdtempSync(join(tmpdir(), 'jincai-live-banks-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const raw = parseYaml(readFileSync(defaultSiteFile, 'utf8')) as Record<string, unknown>;
raw.addedBanksDir = join(dir, 'added-banks');
const site = parseSite(stringify(raw), defaultSiteFile);
const control = createControlActivities({ site });

const hxb = {
  code: 'HXB',
  name: '华夏银行',
  frontEnd: { host: '127.0.0.1', port: 14146 },
  programs: [{ name: '收发程序-HXB', pidFile: join(dir, 'run', 'send-receive-HXB.pid') }],
};
const file = join(dir, 'added-banks', 'HXB.yaml');

function configError(pattern: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure);
    assert.equal(err.type, 'ConfigurationError');
    assert.match(err.message, pattern);
    return true;
  };
}

describe('live bank look-ups', () => {
  it('see a bank written to addedBanksDir after the process started, without a restart', async () => {
    assert.equal(liveBanks(site).length, 5);
    assert.throws(() => requireBank(site, 'HXB'), /unknown bank code "HXB"/);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'added-banks'));
    writeFileSync(file, stringify(hxb));
    const found = requireBank(site, 'HXB');
    assert.equal(found.senderChannel, 'CZ.TO.HXB', 'names default as at load');
    assert.equal(found.qmgr, 'QM.HXB');
    assert.deepEqual(
      (await control.describeEstate()).banks.map((b) => b.code),
      ['ICBC', 'ABC', 'BOC', 'CCB', 'RCB', 'HXB'],
    );
    assert.equal(site.banks.length, 5, 'the loaded site object is left alone');
  });

  it('read a changed file again, and drop a removed one', () => {
    writeFileSync(file, stringify({ ...hxb, name: '华夏银行股份有限公司' }));
    // Same second, other size: the size is part of what is compared.
    utimesSync(file, new Date(), new Date());
    assert.equal(requireBank(site, 'HXB').name, '华夏银行股份有限公司');
    rmSync(file);
    assert.equal(liveBanks(site).length, 5);
  });

  it('refuse an invalid bank file, naming it, rather than guess', () => {
    writeFileSync(file, stringify({ ...hxb, frontEnd: { host: '127.0.0.1', port: 0 } }));
    assert.throws(() => liveBanks(site), configError(/addedBanksDir\/HXB\.yaml: frontEnd\.port/));
    writeFileSync(file, stringify({ ...hxb, programs: [{ name: 'p', pidFile: 'run/p.pid' }] }));
    assert.throws(() => requireBank(site, 'ICBC'), configError(/must be an absolute path/));
    writeFileSync(file, 'code: [');
    assert.throws(() => liveBanks(site), configError(/not valid YAML/));
    writeFileSync(file, stringify(hxb));
    writeFileSync(join(dir, 'added-banks', 'HXB2.yaml'), stringify(hxb));
    assert.throws(() => liveBanks(site), configError(/HXB is in two files/));
    rmSync(join(dir, 'added-banks', 'HXB2.yaml'));
    writeFileSync(join(dir, 'added-banks', 'HXB.yaml.123.tmp'), 'half a file');
    assert.equal(liveBanks(site).length, 6, 'a temporary file is not a bank');
  });
});
