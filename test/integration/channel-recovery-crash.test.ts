import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openAuditDb } from '../../connectors/audit/database.ts';
import type { ChannelRecoveryResult } from '../../workflows/channel-recovery.types.ts';
import { addTestUsers, decide, signedBy, waitForGate } from '../support/approvals.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import { startWorkerProcess } from '../support/worker-process.ts';

let estate: TestEstate;

before(async () => {
  estate = await startTestEstate({
    banks: ['ICBC'],
    programs: false,
    edit: (raw) => {
      (raw.approvals as Record<string, unknown>).runbooks = {
        'channel-recovery': { roles: ['comm-approver'], quorum: 1 },
      };
    },
  });
  await addTestUsers(estate.site);
});
after(async () => {
  await estate?.stop();
});

const sender = () => estate.sandbox.estate.channels.findEnd('QM.CZ', 'CZ.TO.ICBC')!.end.rt;
const bankSender = () => estate.sandbox.estate.channels.findEnd('QM.ICBC', 'ICBC.TO.CZ')!.end.rt;
const commands = [
  'STOP CHANNEL(CZ.TO.ICBC) MODE(QUIESCE)',
  'START CHANNEL(CZ.TO.ICBC)',
  'STOP CHANNEL(ICBC.TO.CZ) MODE(QUIESCE)',
  'START CHANNEL(ICBC.TO.CZ)',
];

test('the worker killed between STOP and START: both directions end moving, each command recorded once', async () => {
  // The line to the bank drops, the sender spends its short retries, then the line comes back:
  // the channel sits in its long retry, the state an engineer finds on a Monday morning.
  await estate.sandbox.faults.inject({ fault: 'channel-network-down', bank: 'ICBC' });
  const longRetrying = () => sender().shortRts === 0 && sender().longRts < 999_999_999;
  for (let i = 0; i < 300 && !longRetrying(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(longRetrying(), 'the sender should have spent its short retries');
  await estate.sandbox.faults.clear({ fault: 'channel-network-down', bank: 'ICBC', lift: true });
  assert.equal(sender().status, 'RETRYING');

  let worker = await startWorkerProcess(estate.env);
  const id = `channel-recovery/CZ.TO.ICBC/crash-${Date.now()}`;
  const handle = await estate.client.workflow.start('channelRecovery', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: id,
    args: [{ bank: 'ICBC', requestedBy: 'eng', verifySeconds: 60 }],
  });
  try {
    const gate = await waitForGate(estate.client, id);
    // The line was down both ways: the bank's sender (bank → finance) retries too.
    assert.deepEqual(
      gate.plan.actions.map((a) => `${a.target}: ${a.command}`),
      ['QM.CZ', 'QM.CZ', 'QM.ICBC', 'QM.ICBC'].map((q, i) => `${q}: ${commands[i]}`),
    );
    await decide(estate.client, id, signedBy(estate.site, gate, 'wang'));

    // Kill -9 the moment the STOP has taken effect, before the START.
    for (let i = 0; i < 2000 && sender().status !== 'STOPPED'; i++)
      await new Promise((r) => setTimeout(r, 5));
    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('exit', r));
    assert.equal(sender().status, 'STOPPED', 'the kill should land between STOP and START');

    worker = await startWorkerProcess(estate.env);
    const result: ChannelRecoveryResult = await handle.result();
    assert.equal(result.outcome, 'recovered');
    assert.equal(sender().status, 'RUNNING');
    assert.ok(['RUNNING', 'INACTIVE'].includes(bankSender().status), bankSender().status);
    assert.ok(['RUNNING', 'INACTIVE'].includes(result.verification?.bankSender ?? ''));

    const history = (await handle.fetchHistory()).events ?? [];
    const scheduled = (name: string) =>
      history.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === name).length;
    assert.equal(scheduled('stopSenderChannel'), 1);
    assert.equal(scheduled('startSenderChannel'), 1);
    assert.equal(scheduled('stopBankSenderChannel'), 1);
    assert.equal(scheduled('startBankSenderChannel'), 1);
    const db = await openAuditDb(estate.site.audit);
    try {
      const mutations = await db
        .selectFrom('audit_records')
        .select('payload')
        .where('workflow_id', '=', id)
        .where('kind', '=', 'mutation')
        .execute();
      assert.deepEqual(
        mutations.map((m) => (JSON.parse(m.payload) as { action: string }).action),
        commands,
      );
    } finally {
      await db.destroy();
    }
  } finally {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
  }
});
