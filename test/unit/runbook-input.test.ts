import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultSiteFile, loadSite, projectRoot } from '../../temporal.config.ts';
import { RunbookInputError, siteRunDay, validateRunbookInput } from '../../scripts/lib/runbook-input.ts';
import { runbookEntries, runbookEntry } from '../../workflows/catalog.ts';
import { entryPointArgs } from '../support/test-build.ts';

const site = loadSite(defaultSiteFile);

function problems(name: string, input: unknown): string[] {
  try {
    validateRunbookInput(name, input, site);
  } catch (err) {
    if (err instanceof RunbookInputError) return err.problems;
    throw err;
  }
  return [];
}

test('valid inspection input passes', () => {
  assert.deepEqual(problems('daily-inspection', {}), []);
  assert.deepEqual(
    problems('daily-inspection', { date: '2026-11-27', banks: ['ICBC', 'CCB'], skip: ['traffic'] }),
    [],
  );
});

test('bad inspection input names each field and what was expected', () => {
  assert.deepEqual(problems('daily-inspection', { banks: ['ICBC', 'XYZ'] }), [
    'input.banks[1]: unknown bank code "XYZ"; expected one of ICBC, ABC, BOC, CCB, RCB',
  ]);
  assert.match(problems('daily-inspection', { date: '27/11/2026' })[0] ?? '', /^input\.date: .*YYYY-MM-DD/);
  assert.match(
    problems('daily-inspection', { date: '2026-02-30' })[0] ?? '',
    /^input\.date: a real calendar date/,
  );
  assert.match(problems('daily-inspection', { skip: ['coffee'] })[0] ?? '', /^input\.skip\[0\]: .*channels/);
  assert.deepEqual(problems('daily-inspection', { bank: 'ICBC' }), [
    "input.bank: not a field of this runbook's input",
  ]);
  assert.match(problems('no-such-runbook', {})[0] ?? '', /^runbook: unknown runbook "no-such-runbook"/);
});

test('the CLI refuses bad input before contacting Temporal', () => {
  // The site points at a port where nothing listens: a refusal proves nothing was attempted.
  const run = spawnSync(
    process.execPath,
    [
      ...entryPointArgs('scripts/runbook.ts'),
      'start',
      'daily-inspection',
      '--input',
      '{"banks":["XYZ"],"date":"2026-13-01"}',
    ],
    { cwd: projectRoot, encoding: 'utf8', env: { ...process.env, JINCAI_SITE: defaultSiteFile } },
  );
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /input\.date/);
  assert.doesNotMatch(run.stdout, /Started/);
});

test('the CLI explains its usage', () => {
  const run = spawnSync(process.execPath, [...entryPointArgs('scripts/runbook.ts'), '--help'], {
    cwd: projectRoot,
    encoding: 'utf8',
  });
  assert.equal(run.status, 0);
  assert.match(run.stdout, /start <runbook>/);
  assert.match(run.stdout, /daily-inspection/);
});

test("the daily report check's default day in a year without calendar data is the operator's to give", () => {
  const entry = runbookEntry('daily-report-check')!;
  const undeclared = {
    ...site,
    calendar: { ...site.calendar, dir: join(projectRoot, 'test', 'no-such-calendar') },
  };
  const input = entry.input.parse({ bank: 'ICBC', requestedBy: 'zhang.san' });
  assert.equal(
    entry.workflowId(input, siteRunDay(undeclared, new Date('2026-12-30T02:00:00Z'))),
    'daily-report-check/ICBC/2026-12-29',
  );
  assert.throws(
    () => entry.workflowId(input, siteRunDay(undeclared, new Date('2027-01-04T02:00:00Z'))),
    (err: unknown) =>
      err instanceof RunbookInputError &&
      /^input\.date: not given, and the working day before 2027-01-04 is unknown: .*no data for 2027/.test(
        err.problems[0] ?? '',
      ),
  );
});

test('the CLI lists the runbooks, and shows one with its fields and an example input that passes its checks', () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [...entryPointArgs('scripts/runbook.ts'), 'runbooks', ...args], {
      cwd: projectRoot,
      encoding: 'utf8',
      env: { ...process.env, JINCAI_SITE: defaultSiteFile },
    });
  const all = cli();
  assert.equal(all.status, 0, all.stderr);
  for (const entry of runbookEntries())
    assert.match(all.stdout, new RegExp(`^${entry.id} .* ${entry.workflowType} `, 'm'));
  const one = cli('voucher-resend');
  assert.equal(one.status, 0, one.stderr);
  assert.match(one.stdout, /approval steps: fix-fields, resend/);
  assert.match(one.stdout, /voucherNos +只处理这些凭证号/);
  const example = JSON.parse(one.stdout.split('example input:\n')[1] ?? '') as unknown;
  assert.doesNotThrow(() =>
    validateRunbookInput('voucher-resend', example, site, new Date('2026-11-28T02:00:00Z')),
  );
  assert.equal(cli('no-such-runbook').status, 2);
});
