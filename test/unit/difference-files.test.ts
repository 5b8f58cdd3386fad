import assert from 'node:assert/strict';
import { test } from 'node:test';
import { differenceFiles } from '../../activities/statements/deps.ts';
import { loadSite } from '../../temporal.config.ts';

test('two runs of one reconciliation started moments apart keep their differences apart', () => {
  const site = loadSite();
  const day = { bank: 'ABC', kind: 'payment-detail', date: '2026-11-26' } as const;
  const workflowId = 'bank-reconciliation/ABC/payment-detail/2026-11-26';
  // Run ids are time-based (UUIDv7): these two were given 40 ms apart.
  const first = differenceFiles(site, { ...day, workflowId, runId: '019af7c2-3b10-7c41-9d2e-5a8f0e61b2c7' });
  const second = differenceFiles(site, { ...day, workflowId, runId: '019af7c2-3b38-70d5-8a61-c43be2f9d018' });
  assert.notEqual(first.csv, second.csv);
  assert.notEqual(first.log, second.log);
  assert.ok(first.csv.endsWith('.019af7c2-3b10-7c41-9d2e-5a8f0e61b2c7.csv'), first.csv);
});
