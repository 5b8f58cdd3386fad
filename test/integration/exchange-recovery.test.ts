import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ItemKey } from '../../domain/exchange-protocol.ts';
import type { ExchangeRecoveryResult } from '../../domain/runbooks/exchange-recovery.types.ts';
import { sandboxApi, type TestEstate } from '../support/estate.ts';
import { patienceMs } from '../support/patience.ts';
import { subsystemRunbookTest } from '../support/subsystem-runbook.ts';
import { until as waitUntil } from '../support/worker-lane.ts';

// The payroll's vouchers are paid at any hour: ICBC open all day, today a working day.
const t = subsystemRunbookTest({
  runbook: 'exchange-recovery',
  workflowType: 'exchangeRecovery',
  subsystem: 'budget-exchange',
  started: (e) => {
    estate = e;
    return exchangeOf(e).runner.start();
  },
});
let estate: TestEstate;

function exchangeOf(e: TestEstate) {
  const x = e.sandbox.subsystems.exchange;
  assert.ok(x, 'the test site has a budget-exchange subsystem');
  return x;
}
const exchange = () => exchangeOf(estate);
const { id, health } = t;
const input = (more: Record<string, unknown> = {}) => ({ requestedBy: 'eng', drainSeconds: 90, ...more });
const recover = (what: string, more: Record<string, unknown> = {}) =>
  t.approved<ExchangeRecoveryResult>(what, input(more));
const until = (what: string, seen: () => Promise<boolean>) => waitUntil(what, seen, patienceMs, 250);

const downItems = (status: 'failed' | 'confirmed') =>
  estate.sandbox.treasury
    .selectFrom('exchange_items')
    .select(['fiscal_year', 'voucher_type', 'voucher_no'])
    .where('direction', '=', 'down')
    .where('status', '=', status)
    .execute();

test('a hung client and a dead one: found by subsystem health, restarted and started again, seen moving', async () => {
  await estate.sandbox.subsystems.faults.inject({ fault: 'exchange-client-hung' });
  assert.deepEqual(await health(), ['budget-exchange/work/EXCHANGE_CLIENT_HUNG/exchange-recovery']);
  const hung = await recover('hung');
  assert.deepEqual(
    hung.plan?.actions.map((a) => a.command),
    ['STOP 交换客户端', 'START 交换客户端'],
  );
  assert.equal(hung.outcome, 'recovered', hung.verification?.detail);
  assert.equal(hung.verification?.moving, true);

  await estate.sandbox.subsystems.faults.inject({ fault: 'exchange-client-dead' });
  assert.deepEqual(await health(), ['budget-exchange/programs/EXCHANGE_CLIENT_DEAD/exchange-recovery']);
  const dead = await recover('dead');
  assert.deepEqual(
    dead.plan?.actions.map((a) => a.command),
    ['START 交换客户端'],
  );
  assert.match(dead.plan?.findings[0]?.zh ?? '', /交换客户端未运行：pid \d+ .*stale pid file/);
  assert.equal(dead.outcome, 'recovered', dead.verification?.detail);
  assert.deepEqual(await health(), []);
});

test('the key no longer matching the certificate, and the certificate about to expire: escalated, nothing changed', async () => {
  // The certificate first: reissuing it for the key in place would mend a key that no longer matches.
  await estate.sandbox.subsystems.faults.inject({ fault: 'exchange-certificate-expiring', days: 10 });
  await estate.sandbox.subsystems.faults.inject({ fault: 'exchange-bad-signature' });
  await until('the platform refusing the client', async () =>
    (await health()).includes('budget-exchange/work/EXCHANGE_PLATFORM_REFUSES/exchange-recovery'),
  );
  assert.ok(
    (await health()).includes('budget-exchange/work/EXCHANGE_CERTIFICATE_EXPIRING/exchange-recovery'),
  );
  const refused = await recover('refused');
  assert.equal(refused.outcome, 'escalated');
  assert.equal(refused.plan, undefined, 'a restart cannot mend a key: nothing to approve');
  assert.match(refused.escalated.join('\n'), /SIGNATURE_INVALID[\s\S]*(9|10) 天后到期/);
  // The province's CA issues a new key and certificate (a person's work); then all is well.
  await estate.sandbox.subsystems.faults.clear({});
  await until('the platform taking the client again', async () => (await health()).length === 0);
  assert.equal((await recover('renewed')).outcome, 'healthy');
});

test('an uplink backlog behind a busy platform: found, watched, and seen to drain once the platform takes it', async () => {
  await estate.sandbox.subsystems.faults.inject({ fault: 'exchange-uplink-backlog' });
  await sandboxApi(estate, 'POST', '/sandbox/estate/payroll/batches', { lines: 3 });
  await until('the paid vouchers waiting to go up', async () =>
    (await health()).includes('budget-exchange/work/EXCHANGE_UPLINK_BACKLOG/exchange-recovery'),
  );
  const workflowId = id('backlog');
  const handle = await estate.client.workflow.start('exchangeRecovery', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId,
    args: [input()],
  });
  await until('the run watching the backlog', async () => {
    const progress = await handle.query<{ step: string }>('progress').catch(() => undefined);
    return progress?.step === 'verifying';
  });
  await estate.sandbox.subsystems.faults.clear({ fault: 'exchange-uplink-backlog' });
  const drained: ExchangeRecoveryResult = await handle.result();
  assert.equal(drained.outcome, 'recovered', drained.verification?.detail);
  assert.equal(drained.plan, undefined, 'nothing of the county’s to change');
});

test('downlink items failing on base data: held until the unit arrives, then replayed — through a worker killed mid-way, and again — each signed for by the platform exactly once', async () => {
  await estate.sandbox.subsystems.faults.inject({ fault: 'exchange-downlink-base-data', count: 50 });
  await until('the items failed', async () => (await downItems('failed')).length === 50);
  assert.ok((await health()).includes('budget-exchange/work/EXCHANGE_DOWNLINK_FAILED/exchange-recovery'));
  const early = await recover('held');
  assert.equal(early.outcome, 'escalated');
  assert.equal(early.held.length, 50);
  assert.match(early.escalated.join(), /50 笔下行凭证失败原因未消除（预算单位 190001 仍未同步/);

  await estate.sandbox.subsystems.faults.clear({ fault: 'exchange-downlink-base-data' });
  const keys: ItemKey[] = (await downItems('failed')).map((r) => ({
    fiscalYear: r.fiscal_year,
    voucherType: r.voucher_type as ItemKey['voucherType'],
    voucherNo: r.voucher_no,
  }));
  const replay = await t.killedOnce<ExchangeRecoveryResult>({
    tag: 'exch',
    what: 'replay',
    input: input(),
    killedAt: 'the first page set to replay',
    seen: async () => (await downItems('failed')).length <= 10,
  });
  assert.equal(replay.gate.plan.actions.length, 2, 'fifty items in two keyed pages');
  assert.equal(replay.result.outcome, 'recovered', replay.result.verification?.detail);
  assert.deepEqual(replay.kills, ['the first page set to replay']);
  const again = await recover('again');
  assert.equal(again.outcome, 'healthy');
  assert.equal(again.replayed, 0);
  const { platform, division } = exchange();
  const counts = keys.map((k) => platform.counts(division, k));
  assert.deepEqual(
    counts.map((c) => [c.signings, c.repeatedDown]),
    keys.map(() => [1, 0]),
    'each item signed for once, none offered again',
  );
  assert.equal((await downItems('confirmed')).length >= 50, true);
});
