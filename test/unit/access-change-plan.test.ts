/**
 * The access change's pure parts: input naming what the system lacks, each user and role before and
 * after, whose access changes (a role's holders included), the last administrator kept, the
 * statements, the plan's concerns and masked names, and the input refused naming its field.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  accessCommand,
  missingInAccess,
  previewAccess,
  type AccessState,
} from '../../domain/access/access-changes.ts';
import { checkInput } from '../../domain/errors.ts';
import { accessChangePlan } from '../../domain/runbooks/access-change.plan.ts';
import { accessChangeInputSchema } from '../../domain/runbooks/access-change.types.ts';

const state: AccessState = {
  system: 'payment',
  permissions: ['system.admin', 'voucher.create', 'voucher.view', 'report.view'],
  roles: [
    { role: 'sys-admin', title: '系统管理员', permissions: ['system.admin'] },
    { role: 'cashier', title: '出纳', permissions: ['voucher.create', 'voucher.view'] },
    { role: 'auditor', title: '查询', permissions: ['voucher.view'] },
  ],
  users: [
    { user: 'sys.admin', name: '周建国', status: 'active', roles: ['sys-admin'] },
    { user: 'old.admin', name: '吴强', status: 'disabled', roles: ['sys-admin'] },
    { user: 'li.chuna', name: '李娜', status: 'active', roles: ['cashier'] },
    { user: 'qian.chaxun', name: '钱伟', status: 'active', roles: ['auditor'] },
  ],
};

describe('access change preview', () => {
  it('names each user, role and permission the system lacks by its field', () => {
    assert.deepEqual(
      missingInAccess(state, {
        users: [
          { user: 'nobody', status: 'disabled' },
          { user: 'li.chuna', grant: ['root'] },
        ],
        roles: [{ role: 'auditor', revoke: ['everything'] }],
      }),
      [
        'input.users[0].user: no user nobody in the payment system',
        'input.users[1].grant[0]: no role root in the payment system',
        'input.roles[0].revoke[0]: no permission everything in the payment system',
      ],
    );
  });

  it('shows each user and role before and after; a role change concerns everyone holding it', () => {
    const preview = previewAccess(state, {
      users: [{ user: 'li.chuna', grant: ['auditor'], revoke: ['cashier'] }],
      roles: [{ role: 'auditor', grant: ['report.view'] }],
    });
    assert.deepEqual(preview.problems, []);
    assert.deepEqual(
      preview.entities.map((e) => [e.key, e.before, e.after]),
      [
        ['user:li.chuna', { user_name: '李*', status: 'active', roles: 'cashier' }, { roles: 'auditor' }],
        [
          'role:auditor',
          { title: '查询', permissions: 'voucher.view' },
          { permissions: 'report.view、voucher.view' },
        ],
      ],
    );
    assert.deepEqual(preview.concerns, ['li.chuna', 'qian.chaxun']);
    assert.deepEqual(preview.statements, [
      "DELETE FROM app_user_roles WHERE system = 'payment' AND user_id = 'li.chuna' AND role = 'cashier'",
      "INSERT INTO app_user_roles (system, user_id, role) VALUES ('payment', 'li.chuna', 'auditor')",
      "INSERT INTO app_role_permissions (system, role, permission) VALUES ('payment', 'auditor', 'report.view')",
    ]);
  });

  it('refuses what is already so, and leaving no active administrator (a disabled one does not count)', () => {
    const redundant = previewAccess(state, {
      users: [{ user: 'li.chuna', grant: ['cashier'], status: 'active' }],
      roles: [],
    });
    assert.deepEqual(redundant.problems, ['用户 li.chuna 已有角色 cashier', '用户 li.chuna 已是 active']);
    const last = previewAccess(state, { users: [{ user: 'sys.admin', status: 'disabled' }], roles: [] });
    assert.deepEqual(last.admins, { before: ['sys.admin'], after: [] });
    assert.match(last.problems.join(), /不能移除最后一个管理员/);
    const handedOver = previewAccess(state, {
      users: [
        { user: 'li.chuna', grant: ['sys-admin'] },
        { user: 'sys.admin', status: 'disabled' },
      ],
      roles: [],
    });
    assert.deepEqual(handedOver.problems, []);
    assert.deepEqual(handedOver.admins.after, ['li.chuna']);
  });

  it("the plan names whom it concerns, shows no name, and binds its statements to the preview's digests", () => {
    const request = { users: [{ user: 'qian.chaxun', status: 'disabled' as const }], roles: [] };
    const preview = previewAccess(state, request);
    const plan = accessChangePlan({ preview, request, reason: '离职' });
    assert.deepEqual(plan.concerns, ['qian.chaxun']);
    assert.ok(!JSON.stringify(plan).includes('钱伟'));
    assert.equal(plan.actions[0]?.command, accessCommand('payment', request, preview.entities));
    const moved = previewAccess(
      { ...state, users: state.users.map((u) => ({ ...u, roles: [...u.roles, 'x'] })) },
      request,
    );
    assert.notEqual(accessCommand('payment', request, moved.entities), plan.actions[0]?.command);
  });
});

describe('access change input', () => {
  const problems = (input: unknown) => {
    const checked = checkInput(accessChangeInputSchema, input);
    return checked.ok ? [] : checked.problems;
  };
  const base = { requestedBy: 'zhang.san', reason: '岗位调整', system: 'payment' };

  it('names each problem by its field', () => {
    assert.match(problems({ ...base, system: 'budget' }).join(), /^input\.system: /);
    assert.deepEqual(problems(base), ['input.users: name at least one user or role to change']);
    assert.deepEqual(problems({ ...base, users: [{ user: 'li.chuna' }] }), [
      'input.users[0]: grant, revoke or status: say what changes',
    ]);
    assert.deepEqual(
      problems({
        ...base,
        users: [
          { user: 'li.chuna', grant: ['a1'], revoke: ['a1'] },
          { user: 'li.chuna', status: 'disabled' },
        ],
      }),
      [
        'input.users[1].user: listed already as item 0; list each once',
        'input.users[0].revoke: a1 is granted and revoked at once',
      ],
    );
  });
});
