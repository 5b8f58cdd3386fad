import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planDigest } from '../../domain/approvals/decision.ts';
import { decideRecovery, recoveryPlan } from '../../domain/runbooks/channel-recovery.plan.ts';
import type { RecoveryDiagnosis } from '../../domain/runbooks/channel-recovery.types.ts';

function diagnosis(overrides: Partial<RecoveryDiagnosis> = {}): RecoveryDiagnosis {
  return {
    bank: 'ICBC',
    bankName: '中国工商银行',
    qmgr: 'QM.CZ',
    channel: 'CZ.TO.ICBC',
    sender: { qmgr: 'QM.CZ', channel: 'CZ.TO.ICBC', chltype: 'SDR', status: 'RETRYING', lastSeq: 40 },
    bankReceiver: {
      qmgr: 'QM.ICBC',
      channel: 'CZ.TO.ICBC',
      chltype: 'RCVR',
      status: 'INACTIVE',
      lastSeq: 40,
    },
    xmitqDepth: 12,
    ping: { method: 'ping', reachable: true, detail: 'AMQ8020I' },
    tcp: { method: 'tcp', reachable: true, detail: '127.0.0.1:14141 连接成功' },
    ...overrides,
  };
}
const sender = (status: string, extra = {}) => ({ ...diagnosis().sender, status, ...extra });
const bankSender = (status: string) => ({
  qmgr: 'QM.ICBC',
  channel: 'ICBC.TO.CZ',
  chltype: 'SDR',
  status,
});

describe('channel recovery decisions', () => {
  it('a retrying sender with a reachable bank is stopped then started', () => {
    const d = decideRecovery(diagnosis());
    assert.deepEqual(d.kind === 'act' && d.steps, ['stop', 'start']);
  });

  it('a stopped sender is only started', () => {
    const d = decideRecovery(diagnosis({ sender: sender('STOPPED') }));
    assert.deepEqual(d.kind === 'act' && d.steps, ['start']);
  });

  it('a running sender needs nothing', () => {
    assert.equal(decideRecovery(diagnosis({ sender: sender('RUNNING') })).kind, 'healthy');
  });

  it('an unreachable bank front end is escalated, not restarted', () => {
    const tcp = { method: 'tcp' as const, reachable: false, detail: '连接失败（ECONNREFUSED）' };
    const d = decideRecovery(diagnosis({ tcp }));
    assert.equal(d.kind, 'bank-side');
    assert.match(d.why, /ECONNREFUSED/);
    const ping = { method: 'ping' as const, reachable: false, detail: 'AMQ9558E' };
    assert.equal(decideRecovery(diagnosis({ ping })).kind, 'bank-side');
  });

  it('sequence numbers that disagree, or an in-doubt batch, go to the sequence resync runbook', () => {
    const mismatch = decideRecovery(diagnosis({ sender: sender('STOPPED', { lastSeq: 45 }) }));
    assert.equal(mismatch.kind === 'other-runbook' && mismatch.runbook, 'sequence-resync');
    const indoubt = decideRecovery(diagnosis({ sender: sender('STOPPED', { indoubt: true }) }));
    assert.equal(indoubt.kind, 'other-runbook');
  });

  it("the bank's sender stuck in retry is restarted on the bank's queue manager, after finance's", () => {
    const both = decideRecovery(diagnosis({ bankSender: bankSender('RETRYING') }));
    assert.deepEqual(both.kind === 'act' && both.steps, ['stop', 'start', 'stop-return', 'start-return']);
    assert.match(both.why, /ICBC\.TO\.CZ 处于 RETRYING/);
    const onlyBack = decideRecovery(
      diagnosis({ sender: sender('RUNNING'), bankSender: bankSender('STOPPED') }),
    );
    assert.deepEqual(onlyBack.kind === 'act' && onlyBack.steps, ['start-return']);
    const plan = recoveryPlan(
      diagnosis({ bankSender: bankSender('RETRYING') }),
      ['stop-return', 'start-return'],
      'why',
    );
    assert.deepEqual(
      plan.actions.map((a) => `${a.target}: ${a.command}`),
      ['QM.ICBC: STOP CHANNEL(ICBC.TO.CZ) MODE(QUIESCE)', 'QM.ICBC: START CHANNEL(ICBC.TO.CZ)'],
    );
  });

  it('an idle bank sender (INACTIVE) is normal; runs from before the return direction ignore it', () => {
    const idle = decideRecovery(diagnosis({ sender: sender('RUNNING'), bankSender: bankSender('INACTIVE') }));
    assert.equal(idle.kind, 'healthy');
    const old = decideRecovery(diagnosis({ bankSender: bankSender('RETRYING') }), { returnDirection: false });
    assert.deepEqual(old.kind === 'act' && old.steps, ['stop', 'start']);
  });

  it('the plan names the exact MQSC and binds to its content', () => {
    const d = diagnosis();
    const plan = recoveryPlan(d, ['stop', 'start'], 'why');
    assert.deepEqual(
      plan.actions.map((a) => `${a.target}: ${a.command}`),
      ['QM.CZ: STOP CHANNEL(CZ.TO.ICBC) MODE(QUIESCE)', 'QM.CZ: START CHANNEL(CZ.TO.ICBC)'],
    );
    assert.notEqual(planDigest(plan), planDigest(recoveryPlan(d, ['start'], 'why')));
    assert.equal(planDigest(plan), planDigest(recoveryPlan(diagnosis(), ['stop', 'start'], 'why')));
  });
});
