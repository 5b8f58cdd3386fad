/**
 * The change calendar obeyed, against the dev server and the sandbox: a freeze window (封网) over
 * today in the site file holds back adding an agent bank — a change — which asks the window's
 * override role for an emergency override instead of its approval, shows in `runbook calendar`
 * what it waits for, and, once a director lets it through, asks for its change's approval as
 * usual. A repair (channel recovery) inside the same window is never held back. The wait itself,
 * days long, is on the time-skipping server (test/workflow/change-freeze-wait.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openAuditDb } from '../../connectors/audit/database.ts';
import { freezeOverrideStep } from '../../domain/approvals/freeze-override.ts';
import type { AddAgentBankResult } from '../../domain/runbooks/add-agent-bank.types.ts';
import type { ChannelRecoveryResult } from '../../domain/runbooks/channel-recovery.types.ts';
import { frozenRunLines } from '../../scripts/lib/frozen-runs.ts';
import { freePort } from '../../scripts/lib/free-port.ts';
import { approvalStateQuery } from '../../workflows/shared/approval-definitions.ts';
import { addTestUsers, decide, refusedWithoutTrace, signedBy } from '../support/approvals.ts';
import { frozenToday, waitForStep } from '../support/change-freeze.ts';
import { sandboxApi, startTestEstate, type TestEstate } from '../support/estate.ts';

let estate: TestEstate;
const freeze = frozenToday();

before(async () => {
  estate = await startTestEstate({
    banks: ['ICBC', 'ABC'],
    programs: false,
    edit: (raw) => {
      (raw.approvals as Record<string, unknown>).runbooks = {
        'add-agent-bank': { roles: ['comm-approver'] },
        'channel-recovery': { roles: ['comm-approver'] },
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

describe('the change calendar obeyed', () => {
  it('a change inside a freeze asks for an emergency override, shows what it waits for, and proceeds once let through', async () => {
    const port = await freePort();
    const online = await sandboxApi(estate, 'POST', '/sandbox/banks', {
      code: 'HXB',
      name: '华夏银行',
      frontEnd: { host: '127.0.0.1', port },
      startProgram: false,
    });
    assert.equal(online.status, 201, JSON.stringify(online.json));
    const id = `add-agent-bank/HXB/freeze-${Date.now()}`;
    const handle = await estate.client.workflow.start('addAgentBank', {
      taskQueue: estate.site.temporal.taskQueues.runbooks,
      workflowId: id,
      args: [{ code: 'HXB', name: '华夏银行', frontEnd: { host: '127.0.0.1', port }, requestedBy: 'eng' }],
    });

    const override = await waitForStep(estate.client, id, freezeOverrideStep);
    assert.deepEqual(override.roles, ['finance-director']);
    assert.deepEqual(override.deputyRoles, []);
    assert.deepEqual(override.plan.actions, [], 'nothing can be changed on the override alone');
    assert.match(override.plan.title.zh, /^封网期间紧急变更放行：/);
    assert.ok(override.plan.findings.some((f) => f.zh.includes(freeze.window.name)));
    assert.ok(
      Date.parse(override.expireAt) <= Date.parse(freeze.endsAt),
      'the request closes with the freeze',
    );
    const state = await estate.client.workflow.getHandle(id).query(approvalStateQuery);
    assert.equal(state.frozen?.until, freeze.endsAt);
    assert.deepEqual(
      state.frozen?.windows.map((w) => w.name),
      [freeze.window.name],
    );

    const calendar = await frozenRunLines(estate.client, estate.site.site.timezone);
    const line = calendar.find((l) => l.startsWith(id)) ?? calendar.join('\n');
    assert.match(line, new RegExp(`${freeze.window.name} ${freeze.window.from}…${freeze.window.to}`));
    assert.match(line, /emergency override by finance-director; override asked/);

    await refusedWithoutTrace(estate.client, id, signedBy(estate.site, override, 'wang'), 'wrong-role');
    await decide(
      estate.client,
      id,
      signedBy(estate.site, override, 'zhao', { reason: '系统割接窗口，局领导批准' }),
    );

    const change = await waitForStep(estate.client, id, 'execute');
    assert.deepEqual(change.roles, ['comm-approver']);
    assert.ok(change.plan.actions.length > 0);
    await decide(
      estate.client,
      id,
      signedBy(estate.site, change, 'wang', { verdict: 'reject', reason: '等封网结束后再接入' }),
    );
    const result: AddAgentBankResult = await handle.result();
    assert.equal(result.outcome, 'rejected');
    assert.deepEqual(result.actions, []);

    const db = await openAuditDb(estate.site.audit);
    try {
      const rows = await db
        .selectFrom('audit_records')
        .select(['kind', 'subject'])
        .where('workflow_id', '=', id)
        .where('kind', 'in', ['plan', 'decision'])
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        rows.map((r) => `${r.kind} ${r.subject}`),
        [
          `plan ${override.gateId}`,
          `decision ${override.gateId}`,
          `plan ${change.gateId}`,
          `decision ${change.gateId}`,
        ],
      );
    } finally {
      await db.destroy();
    }
  });

  it('a repair inside the same freeze is never held back', async () => {
    await estate.sandbox.faults.inject({ fault: 'channel-stopped', bank: 'ICBC' });
    const id = `channel-recovery/CZ.TO.ICBC/freeze-${Date.now()}`;
    const handle = await estate.client.workflow.start('channelRecovery', {
      taskQueue: estate.site.temporal.taskQueues.runbooks,
      workflowId: id,
      args: [{ bank: 'ICBC', requestedBy: 'eng', verifySeconds: 20 }],
    });
    const gate = await waitForStep(estate.client, id, 'execute');
    assert.equal((await estate.client.workflow.getHandle(id).query(approvalStateQuery)).frozen, undefined);
    await decide(estate.client, id, signedBy(estate.site, gate, 'wang'));
    const result: ChannelRecoveryResult = await handle.result();
    assert.equal(result.outcome, 'recovered');
  });
});
