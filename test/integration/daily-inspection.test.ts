import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type {
  DailyInspectionInput,
  DailyInspectionResult,
} from '../../domain/runbooks/daily-inspection.types.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';

let estate: TestEstate;
let runs = 0;

before(async () => {
  estate = await startTestEstate();
  await estate.startWorker();
});
after(async () => {
  await estate?.stop();
});

function inspect(input: DailyInspectionInput) {
  return estate.client.workflow.start('dailyInspection', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: `test-inspection-${process.pid}-${++runs}-${Date.now()}`,
    args: [input],
  });
}

async function waitForEffects(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sandbox never showed ${what}`);
}

test('a healthy estate is all green, with a report on disk and search attributes set', async () => {
  // The subsystems' processes are not run here: their section is subsystem-health.test.ts's.
  const handle = await inspect({ skip: ['subsystems'] });
  const result: DailyInspectionResult = await handle.result();
  assert.equal(result.light, 'green', JSON.stringify(result.findings, null, 2));
  assert.deepEqual(result.findings, []);
  assert.equal(result.banks.length, 5);
  for (const b of result.banks) {
    for (const check of ['channels', 'queues', 'frontEnd', 'programs', 'traffic'] as const) {
      assert.equal(b.checks[check]?.light, 'green', `${b.bank} ${check}`);
    }
    assert.equal(b.frontEnd?.method, 'tcp');
    assert.ok(
      b.traffic!.lines.find((l) => l.kind === 'direct_payment')!.expected > 0,
      'seeded traffic is counted',
    );
  }
  assert.ok(existsSync(result.report.markdown));
  assert.match(readFileSync(result.report.html, 'utf8'), /日常巡检报告/);
  const described = await handle.describe();
  assert.deepEqual(described.searchAttributes.Runbook, ['daily-inspection']);
  assert.deepEqual(described.searchAttributes.Light, ['green']);
  assert.deepEqual([...(described.searchAttributes.BankCode as string[])].sort(), [
    'ABC',
    'BOC',
    'CCB',
    'ICBC',
    'RCB',
  ]);
});

test('"bad Monday": every fault is found and attributed to its bank, check and fixing runbook', async () => {
  await estate.sandbox.scenario('bad-monday');
  await waitForEffects(async () => {
    const snap = JSON.stringify(estate.sandbox.estate.snapshot());
    return snap.includes('RETRYING') && snap.includes('STOPPED');
  }, 'the channel faults');
  const result: DailyInspectionResult = await (await inspect({})).result();
  const codes = (bank: string) =>
    result.findings.filter((f) => f.bank === bank).map((f) => `${f.check}/${f.code}/${f.fixRunbook}`);

  assert.ok(codes('ICBC').includes('channels/CHANNEL_RETRYING/channel-recovery'), codes('ICBC').join());
  assert.ok(codes('ICBC').includes('frontEnd/FRONT_END_UNREACHABLE/channel-recovery'), codes('ICBC').join());
  assert.ok(codes('CCB').includes('channels/SEQUENCE_MISMATCH/sequence-resync'), codes('CCB').join());
  assert.ok(codes('BOC').includes('programs/PROGRAM_DEAD/program-restart'), codes('BOC').join());
  assert.ok(codes('RCB').includes('traffic/DAILY_REPORT_MISSING/daily-report-check'), codes('RCB').join());
  assert.ok(codes('ABC').includes('queues/DEAD_LETTERS/voucher-resend'), codes('ABC').join());
  // Each fault shows only at its own bank.
  const where = (code: string) => [
    ...new Set(result.findings.filter((f) => f.code === code).map((f) => f.bank)),
  ];
  assert.deepEqual(where('CHANNEL_RETRYING'), ['ICBC']);
  assert.deepEqual(where('SEQUENCE_MISMATCH'), ['CCB']);
  assert.deepEqual(where('PROGRAM_DEAD'), ['BOC']);
  assert.deepEqual(where('DAILY_REPORT_MISSING'), ['RCB']);
  assert.deepEqual(where('DEAD_LETTERS'), ['ABC']);
  assert.equal(result.light, 'red');
  const md = readFileSync(result.report.markdown, 'utf8');
  assert.match(md, /序列号重置（`sequence-resync`）/);
  assert.match(md, /中国工商银行（ICBC） \| 🔴 异常/);

  await estate.sandbox.scenario('healthy');
});

test('one bank, some checks skipped: only what was asked is inspected', async () => {
  const result: DailyInspectionResult = await (
    await inspect({ banks: ['CCB'], skip: ['traffic', 'programs'] })
  ).result();
  assert.deepEqual(
    result.banks.map((b) => b.bank),
    ['CCB'],
  );
  assert.equal(result.banks[0]?.checks.traffic?.light, 'skipped');
  assert.equal(result.banks[0]?.checks.programs?.light, 'skipped');
  assert.equal(result.banks[0]?.traffic, undefined);
  assert.deepEqual(result.skipped.sort(), ['programs', 'traffic']);
});

for (const [label, input, field] of [
  ['an unknown bank code', { banks: ['ICBC', 'XYZ'] }, 'input.banks[1]'],
  ['a malformed date', { date: '2026/11/27' }, 'input.date'],
  ['an unknown check', { skip: ['coffee'] }, 'input.skip[0]'],
] as const) {
  test(`${label} fails the workflow at once, non-retryably, naming ${field}`, async () => {
    const handle = await inspect(input as DailyInspectionInput);
    const err = await handle.result().then(
      () => assert.fail('the workflow should have failed'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError);
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'InvalidInput');
    assert.equal(err.cause.nonRetryable, true);
    assert.ok(err.cause.message.includes(field), err.cause.message);
    // Nothing but the read-only estate description ran.
    const history = await handle.fetchHistory();
    const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes);
    const types = scheduled.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);
    assert.ok(
      types.every((t) => t === 'describeEstate'),
      types.join(),
    );
  });
}

test('a year without calendar data: the inspection warns 60 days ahead, until the year is declared', async () => {
  // The sandbox declared its assumed 2027 to the engine; take it away, as at a site that has not yet.
  const declared = join(estate.site.calendar.dir!, 'sandbox-2027.yaml');
  const kept = join(estate.dir, 'kept-2027.yaml');
  copyFileSync(declared, kept);
  rmSync(declared);
  const only: DailyInspectionInput = {
    date: '2026-11-20',
    banks: ['ICBC'],
    skip: ['channels', 'queues', 'frontEnd', 'programs'],
  };
  try {
    const ahead: DailyInspectionResult = await (await inspect(only)).result();
    assert.deepEqual(
      ahead.siteFindings.map((f) => [f.code, f.light, f.evidence.daysLeft]),
      [['CALENDAR_YEAR_MISSING', 'yellow', 42]],
    );
    assert.match(
      readFileSync(ahead.report.markdown, 'utf8'),
      /## 全局问题[\s\S]*缺少 2027 年的节假日与调休安排/,
    );
    assert.doesNotMatch(ahead.banks[0]?.checks.traffic?.error ?? '', /CalendarYearUnknown/);
  } finally {
    copyFileSync(kept, declared);
  }
  const declaredNow: DailyInspectionResult = await (await inspect(only)).result();
  assert.deepEqual(declaredNow.siteFindings, []);
});
