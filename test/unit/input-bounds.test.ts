import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { listedProblems, parseInput } from '../../domain/errors.ts';
import { dailyInspectionInputSchema } from '../../domain/runbooks/daily-inspection.types.ts';
import { RunbookInputError, validateRunbookInput } from '../../scripts/lib/runbook-input.ts';
import { defaultSiteFile, loadSite } from '../../temporal.config.ts';

const site = loadSite(defaultSiteFile);
const now = new Date('2026-11-27T02:00:00Z');
const base = { bank: 'ICBC', requestedBy: 'zhang.san' };

function problems(name: string, input: unknown): string[] {
  try {
    validateRunbookInput(name, input, site, now);
  } catch (err) {
    if (err instanceof RunbookInputError) return err.problems;
    throw err;
  }
  return [];
}

function refusal(input: unknown): ApplicationFailure {
  try {
    parseInput(dailyInspectionInputSchema, input);
  } catch (err) {
    assert.ok(err instanceof ApplicationFailure);
    return err;
  }
  assert.fail('the input was accepted');
}

test('a refusal names the first problems and counts the rest, however many there are', () => {
  const codes = Array.from({ length: 400 }, (_, i) => `X${i}`);
  const found = problems('daily-inspection', { banks: codes });
  assert.equal(found.length, listedProblems + 1);
  assert.match(found[0] ?? '', /^input\.banks\[0\]: unknown bank code "X0"/);
  assert.equal(found.at(-1), `… and ${400 - listedProblems} more problem(s)`);

  const extra = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`.repeat(50), i]));
  const failure = refusal(extra);
  assert.equal(failure.type, 'InvalidInput');
  assert.equal(failure.nonRetryable, true);
  assert.ok(failure.message.length < 5_000, `message of ${failure.message.length} characters`);
  assert.equal(failure.details?.length, listedProblems + 1);
});

test('lists are bounded and each item may appear once', () => {
  assert.deepEqual(problems('daily-inspection', { banks: Array(10_000).fill('ICBC') }), [
    'input.banks: Too big: expected array to have <=500 items',
  ]);
  assert.deepEqual(problems('daily-inspection', { banks: ['ICBC', 'ABC', 'ICBC'] }), [
    'input.banks[2]: repeats item 0; list each once',
  ]);
  assert.deepEqual(
    problems('daily-report-check', { ...base, reports: ['daily_report', 'recon_file', 'daily_report'] }),
    ['input.reports[2]: repeats item 0; list each once'],
  );
  assert.deepEqual(problems('daily-inspection', { skip: ['traffic', 'traffic'] }), [
    'input.skip[1]: repeats item 0; list each once',
  ]);
  assert.deepEqual(
    problems('voucher-resend', { ...base, voucherNos: ['ZZ20261127ICBC0001', 'ZZ20261127ICBC0001'] }),
    ['input.voucherNos[1]: repeats item 0; list each once'],
  );
});

test('business dates lie between the start of the system’s records and today in the site’s time zone', () => {
  const dated: [string, string, object][] = [
    ['daily-inspection', 'date', {}],
    ['daily-report-check', 'date', base],
    ['receipt-registration-repair', 'date', base],
    ['void-status-check', 'date', base],
    ['refund-tracking', 'date', base],
    ['voucher-resend', 'since', base],
  ];
  for (const [runbook, field, rest] of dated) {
    assert.deepEqual(problems(runbook, { ...rest, [field]: '2099-12-31' }), [
      `input.${field}: 2099-12-31 is after today (2026-11-27); expected a business day up to today`,
    ]);
    assert.deepEqual(problems(runbook, { ...rest, [field]: '0001-01-01' }), [
      `input.${field}: 0001-01-01 is before the treasury payment system's records (from 2001-01-01)`,
    ]);
    assert.deepEqual(problems(runbook, { ...rest, [field]: '2026-11-27' }), [], `${runbook} today`);
    assert.deepEqual(problems(runbook, { ...rest, [field]: '2001-01-01' }), [], `${runbook} first day`);
  }
  // 2026-11-27T17:00Z is already the 28th in Beijing.
  assert.deepEqual(
    problems('daily-inspection', { date: '2026-11-28' }).length,
    1,
    'tomorrow in Beijing is refused before midnight there',
  );
  assert.deepEqual(
    (() => {
      try {
        validateRunbookInput(
          'daily-inspection',
          { date: '2026-11-28' },
          site,
          new Date('2026-11-27T17:00:00Z'),
        );
        return [];
      } catch (err) {
        return (err as RunbookInputError).problems;
      }
    })(),
    [],
  );
});

test('an input that is not a JSON object is refused as such, naming input', () => {
  assert.match(
    refusal(new Uint8Array([123, 125])).message,
    /^Invalid input: input: expected a JSON object .*binary data \(2 bytes\)/,
  );
  assert.match(refusal([{}]).message, /input: expected a JSON object .*got a list/);
  assert.match(refusal('{}').message, /input: expected a JSON object .*got a string/);
  assert.match(problems('daily-inspection', 42)[0] ?? '', /^input: expected a JSON object .*got a number/);
  assert.deepEqual(problems('daily-inspection', null), []);
});

test('a pid file from the input must lie plainly inside the folders the site declares', () => {
  const [runDir] = site.pidDirs;
  assert.ok(runDir);
  const bank = (pidFile: string) => ({
    code: 'HXB',
    name: '华夏银行',
    frontEnd: { host: '10.8.1.20', port: 1414 },
    requestedBy: 'zhang.san',
    programs: [{ name: '收发程序-HXB', pidFile }],
  });
  for (const path of [
    '/etc/../etc/passwd',
    '/etc/passwd',
    `${runDir}/../../secrets/x.pid`,
    `${runDir}-other/x.pid`,
  ]) {
    assert.match(
      problems('add-agent-bank', bank(path))[0] ?? '',
      /^input\.programs\[0\]\.pidFile: .* is not a plain path inside the site's folders/,
      path,
    );
  }
  assert.deepEqual(problems('add-agent-bank', bank(`${runDir}/send-receive-HXB.pid`)), []);
});
