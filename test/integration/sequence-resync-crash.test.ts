/**
 * Sequence resync with its worker killed (kill -9) after approval, both scopes at once, each on a
 * worker process of its own (test/support/worker-lane.ts):
 * - channel: killed the moment the STOP reached the queue manager, before Temporal heard of it and
 *   before the RESET. The STOP runs again (the channel is stopped already); the run still ends
 *   `resynced`, the RESET is issued once, both ends agree, every message arrives once, and the
 *   audit trail holds each command once.
 * - serials: killed the moment finance's serial was realigned in the treasury database, before
 *   Temporal heard of it. The realignment runs again and finds it done: the serial ends equal to
 *   the bank's, updated once, audited once, and no status query is filed twice.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { queryPrefix } from '../../domain/bank-questions.ts';
import type { SequenceResyncResult } from '../../domain/runbooks/sequence-resync.types.ts';
import { startChannel } from '../../sandbox/mq/channel-commands.ts';
import { decide, signedBy, waitForGate } from '../support/approvals.ts';
import { crashEstate } from '../support/crash-cases.ts';
import { addPendingVoucher, financeSerialOut } from '../support/ccb-serials.ts';
import type { WorkerLane } from '../support/worker-lane.ts';
import { activityRuns, assertRanAgainOnce, auditPayloads, until } from '../support/worker-lane.ts';

const { estate, runCases } = crashEstate({ banks: ['ABC', 'CCB'], runbooks: ['sequence-resync'] });

const mq = () => estate().sandbox.estate;
const db = () => estate().sandbox.treasury;
const end = (qmgr: string, bank: string) => mq().channels.findEnd(qmgr, `CZ.TO.${bank}`)!.end.rt;
const mqscSince = (qmgr: string, mark: number) =>
  mq()
    .mqscLog(qmgr)
    .slice(mark)
    .map((e) => e.command)
    .filter((c) => !c.startsWith('DISPLAY '));

async function channelKilledBetweenStopAndReset(l: WorkerLane, starting: Promise<void>): Promise<string> {
  const { faults } = estate().sandbox;
  // The ends disagree and the sender sits in its long retry (the line dropped and came back).
  await faults.inject({ fault: 'sequence-mismatch', bank: 'ABC', delta: 5 });
  await faults.inject({ fault: 'channel-network-down', bank: 'ABC' });
  startChannel(mq().channels, 'QM.CZ', 'CZ.TO.ABC');
  const sender = () => end('QM.CZ', 'ABC');
  await until(
    'the sender to spend its short retries',
    () => sender().shortRts === 0 && sender().longRts < 999_999_999,
  );
  await faults.clear({ fault: 'channel-network-down', bank: 'ABC', lift: true });
  assert.equal(sender().status, 'RETRYING');
  const ids = Array.from({ length: 4 }, (_, i) => mq().put('QM.CZ', 'PAY.TO.ABC', `crash test ${i}`).msgId);
  const receiverLast = end('QM.ABC', 'ABC').lastSeq;
  const commands = [
    'STOP CHANNEL(CZ.TO.ABC) MODE(QUIESCE)',
    `RESET CHANNEL(CZ.TO.ABC) SEQNUM(${receiverLast + 1})`,
    'START CHANNEL(CZ.TO.ABC)',
  ];
  const [stop, reset, start] = commands as [string, string, string];

  await starting;
  const id = `sequence-resync/CZ.TO.ABC/crash-${Date.now()}`;
  const mark = mq().mqscLog('QM.CZ').length;
  const bankMark = mq().mqscLog('QM.ABC').length;
  const handle = await l.startWorkflow('sequenceResync', id, {
    bank: 'ABC',
    requestedBy: 'eng',
    verifySeconds: 30,
  });
  const gate = await waitForGate(estate().client, id);
  assert.deepEqual(
    gate.plan.actions.map((a) => a.command),
    commands,
  );
  l.holdReports();
  await decide(estate().client, id, signedBy(estate().site, gate, 'wang'));

  await l.killWhen('the STOP reached QM.CZ', () => mqscSince('QM.CZ', mark).includes(stop), {
    meanwhile: () =>
      assert.deepEqual(mqscSince('QM.CZ', mark), [stop], 'the kill lands after the STOP, before the RESET'),
  });

  const result: SequenceResyncResult = await handle.result();
  await l.stop();
  assert.equal(result.outcome, 'resynced', result.why);
  assert.equal(sender().status, 'RUNNING');
  assert.equal(end('QM.ABC', 'ABC').lastSeq, sender().lastSeq, 'both ends agree');
  assert.equal(mq().depth('QM.CZ', 'QM.ABC'), 0);

  // The killed STOP goes again and finds the channel stopped; then RESET and START, once each.
  assert.deepEqual(mqscSince('QM.CZ', mark), [stop, stop, reset, start]);
  assert.deepEqual(mqscSince('QM.ABC', bankMark), [], "nothing changed on the bank's queue manager");

  const delivered = mq().deliveries('QM.ABC');
  assert.deepEqual(
    ids.map((m) => delivered.get(m)),
    [1, 1, 1, 1],
    'each queued message arrives once',
  );
  assert.ok(
    [...delivered.values()].every((n) => n === 1),
    'no message reached the bank twice',
  );

  const retried = await assertRanAgainOnce(estate(), id, {
    ranAgain: 'stopSenderChannel',
    once: ['stopSenderChannel', 'resetSenderSequence', 'startSenderChannel'],
    audited: commands,
  });
  return `channel: ran again after the kill: ${retried.join(', ')}`;
}

const financeOut = () => financeSerialOut(estate(), 'CCB');

const addVoucher = (tag: string) => addPendingVoucher(estate(), 'CCB', `K${tag}`, 43_200);

async function voucherAnswer(voucherNo: string) {
  let row: { status: string; failure_code: string | null } | undefined;
  await until(`the bank to answer ${voucherNo}`, async () => {
    row = await db()
      .selectFrom('vouchers')
      .select(['status', 'failure_code'])
      .where('voucher_no', '=', voucherNo)
      .executeTakeFirstOrThrow();
    return !['pending_send', 'sent'].includes(row.status);
  });
  return row!;
}

/** Every change to CCB's outgoing serial from now on, as (old, new), in order (a trigger's log). */
async function watchSerialUpdates(): Promise<() => Promise<{ old: number; new: number }[]>> {
  await sql`CREATE TABLE test_serial_updates (seq INTEGER PRIMARY KEY AUTOINCREMENT, old_serial INTEGER, new_serial INTEGER)`.execute(
    db(),
  );
  await sql`CREATE TRIGGER test_serial_updates_ccb AFTER UPDATE OF last_serial ON message_serials
    WHEN NEW.bank_code = 'CCB' AND NEW.direction = 'out'
    BEGIN INSERT INTO test_serial_updates (old_serial, new_serial) VALUES (OLD.last_serial, NEW.last_serial); END`.execute(
    db(),
  );
  return async () =>
    (
      await sql<{
        old_serial: number;
        new_serial: number;
      }>`SELECT old_serial, new_serial FROM test_serial_updates ORDER BY seq`.execute(db())
    ).rows.map((r) => ({ old: r.old_serial, new: r.new_serial }));
}

async function serialsKilledAtTheRealign(l: WorkerLane, starting: Promise<void>): Promise<string> {
  const fault = await estate().sandbox.faults.inject({ fault: 'serial-mismatch', bank: 'CCB', delta: 5 });
  const { financeLast, bankLast } = fault.details as { financeLast: number; bankLast: number };
  const refused = await voucherAnswer(await addVoucher('A'));
  assert.equal(refused.failure_code, 'E_SERIAL');
  assert.equal(estate().sandbox.banks.ledger('CCB').lastSerialAccepted(), bankLast);
  const serialUpdates = await watchSerialUpdates();

  await starting;
  const id = `sequence-resync/serials/CCB/crash-${Date.now()}`;
  const handle = await l.startWorkflow('sequenceResync', id, {
    bank: 'CCB',
    requestedBy: 'eng',
    scope: 'serials',
    verifySeconds: 30,
    answerSeconds: 30,
  });
  const gate = await waitForGate(estate().client, id);
  const statement = gate.plan.actions[0]?.command ?? '';
  // Finance's serial as the plan found it: past the refused voucher (the program may have numbered
  // seeded messages too), short of the bank's.
  const from = Number(/ AND last_serial = (\d+)$/.exec(statement)?.[1]);
  assert.ok(from > financeLast && from < bankLast, statement);
  assert.match(statement, new RegExp(`^UPDATE message_serials SET last_serial = ${bankLast}, `));
  l.holdReports();
  await decide(estate().client, id, signedBy(estate().site, gate, 'wang'));
  await l.killWhen(
    'the serial realigned in the treasury database',
    async () => (await financeOut()) !== from,
  );

  const result: SequenceResyncResult = await handle.result();
  await l.stop();
  assert.equal(result.outcome, 'realigned', result.why);
  assert.equal(await financeOut(), bankLast);
  assert.equal(result.serials?.bankAfter?.lastSerialAccepted, bankLast, "the bank's word, after");
  // The program's own numbering moves it one by one; the realignment is the jump to the bank's.
  assert.deepEqual(
    (await serialUpdates()).filter((u) => u.new === bankLast),
    [{ old: from, new: bankLast }],
    "finance's serial was realigned once",
  );

  const audited = await auditPayloads<{ action: string; before: { financeOut: number } }>(estate().site, id);
  assert.deepEqual(
    audited.map((m) => [m.action, m.before.financeOut]),
    [[statement, from]],
    'the realignment audited once',
  );
  const runs = await activityRuns(estate().client, id);
  assert.equal(runs.scheduled.get('realignOutgoingSerial'), 1);
  assert.ok(runs.retried.includes('realignOutgoingSerial'), 'the killed realignment ran again');
  assert.equal(result.actions[0]?.alreadyDone, true, 'and found it done');
  // Each question of the run's under its own round's prefix (ask-bank.ts), filed once.
  const asked = runs.scheduled.get('askBank') ?? 0;
  const runKey = `${id}/${handle.firstExecutionRunId}`;
  const prefixes = Array.from({ length: asked }, (_, k) => queryPrefix(runKey, 'serials', k + 1));
  const queries = await db()
    .selectFrom('bank_queries')
    .select(['query_id', 'status'])
    .where('bank_code', '=', 'CCB')
    .where((eb) => eb.or(prefixes.map((p) => eb('query_id', 'like', `${p}%`))))
    .execute();
  assert.ok(asked > 0, 'the run asked the bank');
  assert.equal(queries.length, asked, 'one status query filed per question the run asked, none twice');
  assert.ok(queries.every((q) => q.status === 'answered'));

  // The next voucher carries the number the bank expects.
  const next = await voucherAnswer(await addVoucher('B'));
  assert.notEqual(next.failure_code, 'E_SERIAL');
  assert.ok(estate().sandbox.banks.ledger('CCB').lastSerialAccepted() > bankLast);
  return `serials: ran again after the kill: ${runs.retried.join(', ') || 'nothing'}`;
}

test('killed after approval, between STOP and RESET / at the serial realignment: resynced, nothing done twice', (t) =>
  // The serials case has the longer road: its worker starts first.
  runCases(t, { serials: serialsKilledAtTheRealign, channel: channelKilledBetweenStopAndReset }));
