/**
 * Channel recovery with its worker killed (kill -9) after approval, on a worker lane of its own
 * (test/support/worker-lane.ts): the moment the STOP took effect on the finance side's sender,
 * before Temporal heard of it and before the START. The STOP runs again (the channel is stopped
 * already); both directions end moving, every other command reaches its queue manager once, and
 * each is audited once.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ChannelRecoveryResult } from '../../domain/runbooks/channel-recovery.types.ts';
import { addTestUsers, decide, signedBy, waitForGate } from '../support/approvals.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import { assertRanAgainOnce, until, WorkerLane } from '../support/worker-lane.ts';

let estate: TestEstate;
let lane: WorkerLane | undefined;

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
  await lane?.close();
  await estate?.stop();
});

const mq = () => estate.sandbox.estate;
const sender = () => mq().channels.findEnd('QM.CZ', 'CZ.TO.ICBC')!.end.rt;
const bankSender = () => mq().channels.findEnd('QM.ICBC', 'ICBC.TO.CZ')!.end.rt;
/** The commands that change something, from `mark` on (the re-check before execution pings). */
const changesSince = (qmgr: string, mark: number) =>
  mq()
    .mqscLog(qmgr)
    .slice(mark)
    .map((e) => e.command)
    .filter((c) => !/^(DISPLAY|PING) /.test(c));
const commands = [
  'STOP CHANNEL(CZ.TO.ICBC) MODE(QUIESCE)',
  'START CHANNEL(CZ.TO.ICBC)',
  'STOP CHANNEL(ICBC.TO.CZ) MODE(QUIESCE)',
  'START CHANNEL(ICBC.TO.CZ)',
];
const [stop, start, stopReturn, startReturn] = commands as [string, string, string, string];

test('the worker killed between STOP and START: both directions end moving, each command recorded once', async () => {
  // The line to the bank drops, the sender spends its short retries, then the line comes back:
  // the channel sits in its long retry, the state an engineer finds on a Monday morning.
  await estate.sandbox.faults.inject({ fault: 'channel-network-down', bank: 'ICBC' });
  await until(
    'the sender to spend its short retries',
    () => sender().shortRts === 0 && sender().longRts < 999_999_999,
  );
  await estate.sandbox.faults.clear({ fault: 'channel-network-down', bank: 'ICBC', lift: true });
  assert.equal(sender().status, 'RETRYING');

  lane = new WorkerLane(estate, 'recovery');
  await lane.start();
  const id = `channel-recovery/CZ.TO.ICBC/crash-${Date.now()}`;
  const handle = await lane.startWorkflow('channelRecovery', id, {
    bank: 'ICBC',
    requestedBy: 'eng',
    verifySeconds: 60,
  });
  const gate = await waitForGate(estate.client, id);
  // The line was down both ways: the bank's sender (bank → finance) retries too.
  assert.deepEqual(
    gate.plan.actions.map((a) => `${a.target}: ${a.command}`),
    ['QM.CZ', 'QM.CZ', 'QM.ICBC', 'QM.ICBC'].map((q, i) => `${q}: ${commands[i]}`),
  );
  const [mark, bankMark] = [mq().mqscLog('QM.CZ').length, mq().mqscLog('QM.ICBC').length];
  lane.holdReports();
  await decide(estate.client, id, signedBy(estate.site, gate, 'wang'));
  await lane.killWhen('the STOP took effect', () => sender().status === 'STOPPED', {
    meanwhile: () => assert.equal(sender().status, 'STOPPED', 'the kill lands between STOP and START'),
  });

  const result: ChannelRecoveryResult = await handle.result();
  await lane.stop();
  assert.equal(result.outcome, 'recovered');
  assert.equal(sender().status, 'RUNNING');
  assert.ok(['RUNNING', 'INACTIVE'].includes(bankSender().status), bankSender().status);
  assert.ok(['RUNNING', 'INACTIVE'].includes(result.verification?.bankSender ?? ''));

  // The killed STOP goes again and finds the channel stopped; every other command goes once.
  assert.deepEqual(changesSince('QM.CZ', mark), [stop, stop, start]);
  assert.deepEqual(changesSince('QM.ICBC', bankMark), [stopReturn, startReturn]);
  await assertRanAgainOnce(estate, id, {
    ranAgain: 'stopSenderChannel',
    once: ['stopSenderChannel', 'startSenderChannel', 'stopBankSenderChannel', 'startBankSenderChannel'],
    audited: commands,
  });
});
