import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ExchangeClientStatus } from '../../domain/exchange-protocol.ts';
import {
  decideExchange,
  exchangePlan,
  replayPageSize,
  replayStatement,
} from '../../domain/runbooks/exchange-recovery.plan.ts';
import type {
  ExchangeDiagnosis,
  ExchangeTarget,
  FailedItem,
} from '../../domain/runbooks/exchange-recovery.types.ts';

const target: ExchangeTarget = {
  subsystem: 'budget-exchange',
  name: '交换客户端',
  division: '330127',
  voucherTypes: ['5201'],
  program: '交换客户端',
  host: 'local',
  certificateWarnDays: 30,
};
const status = (over: Partial<ExchangeClientStatus> = {}): ExchangeClientStatus => ({
  client: 'x',
  version: '1',
  pid: 9,
  division: '330127',
  startedAt: '',
  lastCycleAt: '2026-11-27T02:00:00.000Z',
  cycles: 10,
  intervalMs: 1000,
  lastError: null,
  certificate: null,
  queues: {},
  ...over,
});
const item = (n: number, over: Partial<FailedItem> = {}): FailedItem => ({
  direction: 'down',
  fiscalYear: 2026,
  voucherType: '5201',
  voucherNo: `5201330127202611270${String(n).padStart(3, '0')}`,
  lastError: '基础资料缺失：预算单位 190001 未同步',
  attempts: 1,
  ...over,
});
const diagnosis = (over: Partial<ExchangeDiagnosis> = {}): ExchangeDiagnosis => ({
  program: {
    name: '交换客户端',
    host: 'local',
    running: true,
    pid: 9,
    detail: 'pid 9 is running',
    logTail: [],
  },
  status: status(),
  moving: true,
  failed: [],
  moreFailed: 0,
  ...over,
});
const opts = { replay: true };

test('a client that runs and moves with nothing failed: nothing to do', () => {
  const d = decideExchange(target, diagnosis(), opts);
  assert.deepEqual([d.restart, d.replay.length, d.escalate], [undefined, 0, []]);
});

test('dead: started; running but not moving or not answering: stopped and started', () => {
  const dead = diagnosis({ program: { ...diagnosis().program, running: false, detail: 'stale' } });
  assert.equal(decideExchange(target, dead, opts).restart, 'start');
  assert.equal(decideExchange(target, diagnosis({ moving: false }), opts).restart, 'restart');
  const { status: _s, ...silent } = diagnosis();
  assert.equal(decideExchange(target, { ...silent, statusError: 'refused' }, opts).restart, 'restart');
  assert.deepEqual(
    exchangePlan(target, decideExchange(target, diagnosis({ moving: false }), opts)).actions.map(
      (a) => a.command,
    ),
    ['STOP 交换客户端', 'START 交换客户端'],
  );
});

test('a refused key and an expiring certificate are for a person; a busy platform is waited for', () => {
  const refused = decideExchange(
    target,
    diagnosis({
      status: status({
        lastError: { at: '', message: '', code: 'SIGNATURE_INVALID' },
        certificate: {
          subject: '',
          issuer: '',
          serialNumber: '1',
          notBefore: '',
          notAfter: 'x',
          daysLeft: 12,
        },
      }),
    }),
    opts,
  );
  assert.equal(refused.restart, undefined);
  assert.match(refused.escalate.join('\n'), /SIGNATURE_INVALID[\s\S]*重启无法解决[\s\S]*12 天后到期/);
  const busy = decideExchange(
    target,
    diagnosis({ status: status({ lastError: { at: '', message: '', code: 'PLATFORM_BUSY' } }) }),
    opts,
  );
  assert.deepEqual([busy.waitForPlatform, busy.escalate], [true, []]);
});

test('mended items are replayed in keyed pages; blocked ones held and escalated; up refusals never replayed', () => {
  const failed = [
    ...Array.from({ length: replayPageSize + 2 }, (_, i) => item(i)),
    item(99, { blocked: '预算单位 190002 仍未同步，重放会再次失败' }),
    item(98, { direction: 'up', blocked: '省级平台拒收（conflict）' }),
  ];
  const d = decideExchange(target, diagnosis({ failed }), opts);
  assert.equal(d.replay.length, replayPageSize + 2);
  assert.deepEqual(
    d.held.map((i) => i.voucherNo.slice(-3)),
    ['099', '098'],
  );
  assert.match(
    d.escalate.join('\n'),
    /1 笔下行凭证失败原因未消除（预算单位 190002[\s\S]*1 笔上行支付数据被省级平台拒收/,
  );
  const actions = exchangePlan(target, d).actions;
  assert.equal(actions.length, 2);
  assert.equal(actions[0]?.command, replayStatement('330127', 'down', d.replay.slice(0, replayPageSize)));
  assert.match(
    actions[0]?.command ?? '',
    /^UPDATE exchange_items SET status = 'replay' WHERE division = '330127' AND direction = 'down' AND status = 'failed' AND .* IN \('2026\/5201\/5201330127202611270000', /,
  );
  assert.ok((actions[0]?.command.length ?? 0) < 4000, 'a page fits in one audit record');
  assert.equal(decideExchange(target, diagnosis({ failed }), { replay: false }).replay.length, 0);
});
