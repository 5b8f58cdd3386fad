/**
 * Adding an agent bank with its worker killed (kill -9) in the middle of execution: the MQ
 * objects defined and the channel started, the treasury rows in, the base data pushed and
 * acknowledged, the test message just filed and not yet reported to Temporal — before the bank's
 * file. The filing runs again on a new worker (the message has gone out and been answered
 * meanwhile) and finds its row; the run ends `added` with every object defined once, each push
 * filed once and acknowledged, one test message each way, every step audited once, and
 * `<addedBanksDir>/HXB.yaml` written as approved.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AddAgentBankResult } from '../../domain/runbooks/add-agent-bank.types.ts';
import type { OnboardedBank } from '../../sandbox/bank/onboard.ts';
import { freePort } from '../../scripts/lib/free-port.ts';
import { addTestUsers, decide, signedBy, waitForGate } from '../support/approvals.ts';
import { sandboxApi, startTestEstate, type TestEstate } from '../support/estate.ts';
import { activityRuns, auditPayloads, WorkerLane } from '../support/worker-lane.ts';

let estate: TestEstate;
let lane: WorkerLane | undefined;

before(async () => {
  estate = await startTestEstate({
    banks: ['ICBC'],
    edit: (raw) => {
      (raw.approvals as Record<string, unknown>).runbooks = {
        'add-agent-bank': { roles: ['comm-approver'] },
      };
    },
  });
  await addTestUsers(estate.site);
});
after(async () => {
  await lane?.close();
  await estate?.stop();
});

/** The bank's own side comes online over the sandbox API, as its engineers would do it. */
async function bankComesOnline(body: Record<string, unknown>): Promise<OnboardedBank> {
  const { status, json } = await sandboxApi(estate, 'POST', '/sandbox/banks', body);
  assert.equal(status, 201, JSON.stringify(json));
  return json as OnboardedBank;
}

test('killed after the MQ objects, the treasury rows and the base data, as the test message is filed: added, nothing twice', async (t) => {
  lane = new WorkerLane(estate, 'add-bank');
  const starting = lane.start();
  const port = await freePort();
  const { program } = await bankComesOnline({
    code: 'HXB',
    name: '华夏银行',
    frontEnd: { host: '127.0.0.1', port },
  });
  assert.ok(program);
  await starting;
  const id = `add-agent-bank/HXB/crash-${Date.now()}`;
  const handle = await lane.startWorkflow('addAgentBank', id, {
    requestedBy: 'eng',
    waitSeconds: 60,
    code: 'HXB',
    name: '华夏银行',
    frontEnd: { host: '127.0.0.1', port },
    programs: [{ name: '收发程序-HXB', pidFile: program.pidFile }],
  });
  const gate = await waitForGate(estate.client, id);
  const mqsc = gate.plan.actions.filter((a) => a.kind === 'mqsc').map((a) => a.command);
  assert.equal(mqsc.filter((c) => c.startsWith('DEFINE ')).length, 5);
  const file = gate.plan.actions.find((a) => a.kind === 'file');
  const registered = join(estate.dir, 'added-banks', 'HXB.yaml');
  assert.equal(file?.target, registered);

  const treasury = estate.sandbox.treasury;
  const pushes = () =>
    treasury
      .selectFrom('base_data_pushes')
      .select(['kind', 'status'])
      .where('bank_code', '=', 'HXB')
      .execute();
  const queries = () =>
    treasury.selectFrom('bank_queries').select('status').where('bank_code', '=', 'HXB').execute();
  const changesSoFar = () =>
    estate.sandbox.estate
      .mqscLog('QM.CZ')
      .map((e) => e.command)
      .filter((c) => /^(DEFINE|START)\b/.test(c));
  lane.holdReports();
  await decide(estate.client, id, signedBy(estate.site, gate, 'wang'));
  await lane.killWhen('the test message filed', async () => (await queries()).length > 0, {
    meanwhile: async () => {
      assert.deepEqual(changesSoFar(), mqsc, 'every object defined and the channel started before the kill');
      assert.ok((await pushes()).every((p) => p.status === 'acked'));
      assert.equal(existsSync(registered), false, 'the bank file is not written yet');
    },
  });

  const result: AddAgentBankResult = await handle.result();
  await lane.stop();
  assert.equal(result.outcome, 'added', result.why.join('\n'));

  // Each object defined once, the channel started once: nothing before the kill was done again.
  assert.deepEqual(changesSoFar(), mqsc);
  const cz = estate.sandbox.estate;
  for (const q of ['QM.HXB', 'PAY.TO.HXB', 'PAY.FROM.HXB'])
    assert.ok(cz.queueManager('QM.CZ')?.queues.has(q), `${q} on QM.CZ`);
  assert.equal(cz.channels.findEnd('QM.CZ', 'CZ.TO.HXB')?.end.rt.status, 'RUNNING');
  assert.ok(cz.channels.findEnd('QM.CZ', 'HXB.TO.CZ'));

  // One push per kind, each acknowledged and applied by the bank.
  assert.deepEqual((await pushes()).map((p) => `${p.kind}:${p.status}`).sort(), [
    'budget_unit:acked',
    'payee_account:acked',
    'subject:acked',
  ]);
  const versions = estate.sandbox.banks.ledger('HXB').versions();
  for (const p of result.baseData ?? []) assert.equal(versions[p.kind], p.version, `bank applied ${p.kind}`);

  // The test message: one status query out, one answer back.
  const messages = await treasury
    .selectFrom('message_log')
    .select(['direction', 'kind'])
    .where('bank_code', '=', 'HXB')
    .execute();
  assert.equal(messages.filter((m) => m.direction === 'out' && m.kind === 'status_query').length, 1);
  assert.equal(messages.filter((m) => m.direction === 'in' && m.kind === 'status_answer').length, 1);
  assert.deepEqual(
    (await queries()).map((q) => q.status),
    ['answered'],
  );

  assert.equal(readFileSync(registered, 'utf8'), file?.command, 'the file is what the approver saw');
  assert.equal(result.registered?.alreadyDone, false);

  const audited = await auditPayloads<{ action: string }>(estate.site, id);
  assert.deepEqual(
    audited.map((m) => m.action),
    result.actions.map((a) => a.command),
    'each step audited once',
  );
  assert.equal(new Set(audited.map((m) => m.action)).size, audited.length);
  const runs = await activityRuns(estate.client, id);
  assert.ok(runs.retried.includes('requestOnboardingTestQuery'), 'the killed step ran again');
  for (const [name, times] of [
    ['defineFinanceObject', 5],
    ['startNewSender', 1],
    ['registerAgentBank', 1],
    ['requestOnboardingPushes', 1],
    ['requestOnboardingTestQuery', 1],
  ] as const)
    assert.equal(runs.scheduled.get(name), times, name);
  t.diagnostic(`ran again after the kill: ${runs.retried.join(', ')}`);
});
