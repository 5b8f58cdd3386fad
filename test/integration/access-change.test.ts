/**
 * User, role and permission changes against the sandbox's payment system: a user, role or
 * permission that does not exist refused naming the field before anything is recorded; removing
 * the last administrator refused with the reason before anyone is asked; a bulk change that the
 * person whose access it changes may not approve (the gate refuses them, leaving no trace), another
 * approver approves, applied and verified; a change whose users moved after the approval stops
 * with nothing applied.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readAccess } from '../../connectors/treasury/access-store.ts';
import type { AccessChangeResult } from '../../domain/runbooks/access-change.types.ts';
import { startAccessEstate } from '../support/access-change.ts';
import { decide, gateUnlessEnded, refusedWithoutTrace, signedBy } from '../support/approvals.ts';
import type { TestEstate } from '../support/estate.ts';
import { refusedAsInvalidInput } from '../support/invalid-input.ts';
import { auditKinds } from '../support/worker-lane.ts';

let estate: TestEstate;

before(async () => {
  estate = await startAccessEstate();
  await estate.startWorker();
});
after(async () => {
  await estate?.stop();
});

let runs = 0;

/** Starts an access change as eng; `atGate` decides (or returns nothing and lets wang approve). */
async function change(
  input: Record<string, unknown>,
  atGate?: (gate: NonNullable<Awaited<ReturnType<typeof gateUnlessEnded>>>, id: string) => Promise<void>,
) {
  const id = `access-change/test-${Date.now()}-${(runs += 1)}`;
  const handle = await estate.client.workflow.start('accessChange', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: id,
    args: [{ system: 'payment', requestedBy: 'eng', reason: '岗位调整', ...input }],
  });
  let ended = false;
  const result = (handle.result() as Promise<AccessChangeResult>).finally(() => (ended = true));
  const gate = await gateUnlessEnded(estate.client, id, () => ended);
  if (gate) {
    if (atGate) await atGate(gate, id);
    else await decide(estate.client, id, signedBy(estate.site, gate, 'wang'));
  }
  return { id, result: await result, gate };
}

const payment = () => readAccess(estate.sandbox.treasury, 'payment');
const rolesOf = async (user: string) => (await payment()).users.find((u) => u.user === user)?.roles;

describe('access change', () => {
  it('refuses a user, a role and a permission the system does not have, naming the field, before any record', async () => {
    for (const [input, field] of [
      [
        { users: [{ user: 'nobody', status: 'disabled' }] },
        /input\.users\[0\]\.user: no user nobody in the payment system/,
      ],
      [
        { users: [{ user: 'li.chuna', grant: ['root'] }] },
        /input\.users\[0\]\.grant\[0\]: no role root in the payment system/,
      ],
      [
        { roles: [{ role: 'auditor', grant: ['everything'] }] },
        /input\.roles\[0\]\.grant\[0\]: no permission everything/,
      ],
    ] as const) {
      const id = `access-change/bad-${(runs += 1)}`;
      const run = estate.client.workflow.execute('accessChange', {
        taskQueue: estate.site.temporal.taskQueues.runbooks,
        workflowId: id,
        args: [{ system: 'payment', requestedBy: 'eng', reason: '测试', ...input }],
      });
      await refusedAsInvalidInput(estate.site, id, run, field);
    }
  });

  it('refuses to remove the last administrator, by role or by permission, before anyone is asked', async () => {
    for (const input of [
      { users: [{ user: 'sys.admin', revoke: ['sys-admin'] }] },
      { users: [{ user: 'sys.admin', status: 'disabled' }] },
      { roles: [{ role: 'sys-admin', revoke: ['system.admin'] }] },
    ]) {
      const { id, result, gate } = await change(input);
      assert.equal(result.outcome, 'refused', JSON.stringify(input));
      assert.match(result.problems.join('\n'), /不能移除最后一个管理员/);
      assert.deepEqual(result.admins, { before: ['sys.admin'], after: [] });
      assert.equal(gate, undefined, 'no approval asked');
      assert.ok(!(await auditKinds(estate.site, id)).includes('mutation'));
    }
    assert.deepEqual(await rolesOf('sys.admin'), ['sys-admin']);
  });

  it('a bulk change: whoever it concerns may not approve it; approved by another, applied and verified', async () => {
    await estate.sandbox.treasury
      .insertInto('app_users')
      .values({
        system: 'payment',
        user_id: 'wang',
        user_name: '王审批',
        status: 'active',
        updated_at: new Date().toISOString(),
      })
      .execute();
    const { result, gate } = await change(
      {
        users: [
          { user: 'wang', grant: ['auditor'] },
          { user: 'li.chuna', grant: ['reviewer'], revoke: ['cashier'] },
        ],
        roles: [{ role: 'auditor', grant: ['report.export'] }],
      },
      async (g, id) => {
        await refusedWithoutTrace(estate.client, id, signedBy(estate.site, g, 'wang'), 'concerned-party');
        await decide(estate.client, id, signedBy(estate.site, g, 'li'));
      },
    );
    assert.equal(result.outcome, 'changed', `${result.problems.join('; ')} ${JSON.stringify(result.moved)}`);
    assert.deepEqual(gate?.plan.concerns, ['li.chuna', 'qian.chaxun', 'sun.kuaiji', 'wang']);
    assert.deepEqual(
      gate?.plan.rows?.map((r) => [
        r.key,
        r.before.user_name ?? r.before.title,
        r.after.roles ?? r.after.permissions,
      ]),
      [
        ['user:wang', '王**', 'auditor'],
        ['user:li.chuna', '李*', 'reviewer'],
        ['role:auditor', '查询', 'report.export、report.view、voucher.view'],
      ],
    );
    assert.ok(!JSON.stringify(gate?.plan).includes('李娜'), 'names masked in the plan');
    assert.deepEqual(
      result.approval?.votes.map((v) => v.user),
      ['li'],
    );
    assert.deepEqual(await rolesOf('li.chuna'), ['reviewer']);
    assert.deepEqual(await rolesOf('wang'), ['auditor']);
    const auditor = (await payment()).roles.find((r) => r.role === 'auditor');
    assert.deepEqual(auditor?.permissions, ['report.export', 'report.view', 'voucher.view']);
    assert.deepEqual(result.differ, []);
  });

  it('stops with nothing applied when a user it changes moves after the approval', async () => {
    const { result } = await change(
      { users: [{ user: 'qian.chaxun', status: 'disabled' }] },
      async (g, id) => {
        await estate.sandbox.treasury
          .insertInto('app_user_roles')
          .values({ system: 'payment', user_id: 'qian.chaxun', role: 'cashier' })
          .execute();
        await decide(estate.client, id, signedBy(estate.site, g, 'wang'));
      },
    );
    assert.equal(result.outcome, 'moved');
    assert.deepEqual(
      result.moved.map((m) => [m.key, m.now?.roles]),
      [['user:qian.chaxun', 'auditor、cashier']],
    );
    assert.equal(
      (await payment()).users.find((u) => u.user === 'qian.chaxun')?.status,
      'active',
      'nothing applied',
    );
  });
});
