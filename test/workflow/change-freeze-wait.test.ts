/**
 * A change waits out a freeze, on Temporal's time-skipping test server with the real worker and the
 * sandbox: adding an agent bank inside a three-day freeze (封网) asks for an emergency override,
 * nobody grants it, the request closes, and the run sleeps on a durable timer until the freeze ends
 * — three days jumped in seconds — then asks for its change's approval, and not a moment before.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { freezeOverrideStep } from '../../domain/approvals/freeze-override.ts';
import type { AddAgentBankResult } from '../../domain/runbooks/add-agent-bank.types.ts';
import { freePort } from '../../scripts/lib/free-port.ts';
import { approvalStateQuery } from '../../workflows/shared/approval-definitions.ts';
import { addTestUsers, decide, signedBy } from '../support/approvals.ts';
import { frozenToday, waitForStep } from '../support/change-freeze.ts';
import { sandboxApi, startTestEstate, type TestEstate } from '../support/estate.ts';
import { startTimeSkipping, timeSkippingTemporal, type TimeSkipping } from '../support/time-skipping.ts';

let timeSkipping: TimeSkipping;
let estate: TestEstate;
const freeze = frozenToday();

before(async () => {
  timeSkipping = await startTimeSkipping({ initialTime: new Date().toISOString() });
  estate = await startTestEstate({
    banks: ['ICBC', 'ABC'],
    programs: false,
    temporal: await timeSkippingTemporal(timeSkipping),
    edit: (raw) => {
      (raw.approvals as Record<string, unknown>).runbooks = {
        'add-agent-bank': { roles: ['comm-approver'] },
      };
      (raw.calendar as Record<string, unknown>).freezes = [freeze.window];
    },
  });
  await addTestUsers(estate.site);
  await estate.startWorker();
});
after(async () => {
  await estate?.stop();
});

const serverNow = async () => new Date(await timeSkipping.env.currentTimeMs());

it('waits for the freeze to end on a durable timer, then asks for the change’s approval', async () => {
  const port = await freePort();
  const online = await sandboxApi(estate, 'POST', '/sandbox/banks', {
    code: 'GDB',
    name: '广发银行',
    frontEnd: { host: '127.0.0.1', port },
    startProgram: false,
  });
  assert.equal(online.status, 201, JSON.stringify(online.json));
  const id = `add-agent-bank/GDB/freeze-wait-${Date.now()}`;
  const handle = await estate.client.workflow.start('addAgentBank', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: id,
    args: [{ code: 'GDB', name: '广发银行', frontEnd: { host: '127.0.0.1', port }, requestedBy: 'eng' }],
  });
  const override = await waitForStep(estate.client, id, freezeOverrideStep);
  const state = () => estate.client.workflow.getHandle(id).query(approvalStateQuery);
  assert.equal((await state()).frozen?.until, freeze.endsAt);

  // A day later: the override request has closed unanswered; the run still waits.
  await timeSkipping.env.sleep(24 * 3_600_000);
  const waiting = await state();
  assert.equal(waiting.pending, null);
  assert.equal(waiting.frozen?.until, freeze.endsAt);
  assert.deepEqual(
    waiting.closed.map((g) => [g.gateId, g.outcome]),
    [[override.gateId, 'expired']],
  );

  // Past the end of the freeze: the run asks for its change.
  await timeSkipping.env.sleep(Date.parse(freeze.endsAt) - (await serverNow()).getTime() + 60_000);
  const change = await waitForStep(estate.client, id, 'execute');
  assert.ok(Date.parse(change.openedAt) >= Date.parse(freeze.endsAt), `asked at ${change.openedAt}`);
  assert.equal((await state()).frozen, undefined);
  await decide(
    estate.client,
    id,
    signedBy(estate.site, change, 'wang', {
      verdict: 'reject',
      reason: '测试结束',
      issuedAt: (await serverNow()).toISOString(),
    }),
  );
  const result: AddAgentBankResult = await handle.result();
  assert.equal(result.outcome, 'rejected');
});
