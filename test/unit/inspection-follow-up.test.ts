import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../../domain/runbooks/daily-inspection.types.ts';
import { prepareStart } from '../../scripts/lib/run-start.ts';
import { defaultSiteFile, loadSite } from '../../temporal.config.ts';
import { followUpsFor } from '../../workflows/daily-inspection.follow-up.ts';

const finding = (bank: string, code: string, fixRunbook: Finding['fixRunbook']): Finding => ({
  bank,
  check: 'channels',
  light: 'red',
  code,
  summary: `${code} at ${bank}`,
  fixRunbook,
  evidence: {},
});

test('only runbooks the policy says to start are started, once per runbook and bank', () => {
  const findings = [
    finding('ICBC', 'CHANNEL_RETRYING', 'channel-recovery'),
    finding('ICBC', 'FRONT_END_UNREACHABLE', 'channel-recovery'),
    finding('ABC', 'CHANNEL_STOPPED', 'channel-recovery'),
    finding('BOC', 'PROGRAM_DEAD', 'program-restart'),
  ];
  assert.deepEqual(followUpsFor(findings, {}, '2026-11-27'), []);
  assert.deepEqual(followUpsFor(findings, { 'channel-recovery': 'report' }, '2026-11-27'), []);
  const started = followUpsFor(
    findings,
    { 'channel-recovery': 'start', 'program-restart': 'start' },
    '2026-11-27',
  );
  assert.deepEqual(
    started.map((f) => f.workflowId),
    [
      'channel-recovery/CZ.TO.ICBC/2026-11-27',
      'channel-recovery/CZ.TO.ABC/2026-11-27',
      'program-restart/BOC/2026-11-27',
    ],
  );
  assert.deepEqual(started[0]!.input, {
    bank: 'ICBC',
    requestedBy: 'daily-inspection',
    reason: '日常巡检：CHANNEL_RETRYING at ICBC',
  });
});

test('a missing daily report is checked for its own business day', () => {
  const missing: Finding = {
    bank: 'RCB',
    check: 'traffic',
    light: 'red',
    code: 'DAILY_REPORT_MISSING',
    summary: '2026-11-26 日报：应有 1，实有 0',
    fixRunbook: 'daily-report-check',
    evidence: { kind: 'daily_report', date: '2026-11-26', expected: 1, actual: 0 },
  };
  const [followUp] = followUpsFor([missing], { 'daily-report-check': 'start' }, '2026-11-27');
  assert.equal(followUp!.workflowId, 'daily-report-check/RCB/2026-11-26');
  assert.deepEqual(followUp!.input, {
    bank: 'RCB',
    date: '2026-11-26',
    requestedBy: 'daily-inspection',
    reason: '日常巡检：2026-11-26 日报：应有 1，实有 0',
  });
});

test('every run the inspection starts is one the front door would start, under the same workflow id', () => {
  const site = loadSite(defaultSiteFile);
  const now = new Date('2026-11-27T01:00:00Z');
  const fixes: [string, Finding['fixRunbook'], Finding['evidence']][] = [
    ['CHANNEL_RETRYING', 'channel-recovery', {}],
    ['SEQUENCE_MISMATCH', 'sequence-resync', {}],
    ['DAILY_REPORT_MISSING', 'daily-report-check', { date: '2026-11-26' }],
    ['DEAD_LETTERS', 'voucher-resend', {}],
    ['RECEIPT_MISSING', 'receipt-registration-repair', {}],
  ];
  const findings = fixes.map(([code, fix, evidence]) => ({ ...finding('ABC', code, fix), evidence }));
  const policy = Object.fromEntries(fixes.map(([, fix]) => [fix, 'start' as const]));
  const started = followUpsFor(findings, policy, '2026-11-27');
  assert.deepEqual(
    started.map((f) => f.runbook),
    fixes.map(([, fix]) => fix),
  );
  for (const f of started) {
    // The CLI and the inbox start through prepareStart: the same input gets the same id and type.
    const front = prepareStart(f.runbook, f.input, { site, user: 'daily-inspection', now });
    assert.equal(f.workflowType, front.entry.workflowType, f.runbook);
    assert.equal(f.workflowId, front.workflowId, f.runbook);
  }
});
