import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decommissionActions,
  decommissionPlan,
  migrationPlan,
} from '../../domain/runbooks/system-migration.plan.ts';
import type { MigrationInventory, MigrationRoute } from '../../domain/runbooks/system-migration.types.ts';

const side = (host: string, adapter: 'sqlite' | 'oracle') => ({
  host,
  dir: '/opt/acct/app',
  programs: [
    { name: '会计核算服务', host },
    { name: '会计报表服务', host },
  ],
  ports: [{ host: '10.0.0.1', port: 8080 }],
  healthUrl: `http://${host}:8080/health`,
  database: adapter === 'sqlite' ? `sqlite:/opt/acct/${host}.db` : `oracle:db-${host}:1521/ACCT`,
  adapter,
});

const route = (adapter: 'sqlite' | 'oracle'): MigrationRoute => ({
  subsystem: 'accounting',
  name: '会计核算系统（BS）',
  kind: 'accounting',
  source: side('acct-app-01', adapter),
  target: side('acct-app-02', adapter),
  version: '5.1.4',
});

const inventory: MigrationInventory = {
  files: 7,
  bytes: 24_744,
  filesDigest: 'e'.repeat(64),
  configuration: ['conf/application.properties'],
  version: '5.1.4',
  programs: [{ name: '会计核算服务', host: 'acct-app-01', running: true, detail: 'pid 7' }],
  tables: [{ table: 'acct_journal', exists: true, rows: 600, digest: 'f'.repeat(64) }],
};

describe('system migration plan', () => {
  it('freezes last started first, copies, starts the new side in order, switches — then shows the rollback', () => {
    const plan = migrationPlan({ route: route('sqlite'), inventory, checks: [] });
    assert.deepEqual(
      plan.actions.map((a) => `${a.target} ${a.command}`),
      [
        'acct-app-01 STOP 会计报表服务',
        'acct-app-01 STOP 会计核算服务',
        'acct-app-02 COPY acct-app-01:/opt/acct/app TO acct-app-02:/opt/acct/app',
        'sqlite:/opt/acct/acct-app-02.db COPY DATABASE sqlite:/opt/acct/acct-app-01.db TO sqlite:/opt/acct/acct-app-02.db',
        'acct-app-02 START 会计核算服务',
        'acct-app-02 START 会计报表服务',
        'site SWITCH accounting TO acct-app-02',
        'acct-app-02 STOP 会计报表服务',
        'acct-app-02 STOP 会计核算服务',
        'site SWITCH accounting BACK TO acct-app-01',
        'acct-app-01 START 会计核算服务',
        'acct-app-01 START 会计报表服务',
      ],
    );
    assert.ok(plan.actions.slice(7).every((a) => a.description.zh.startsWith('失败时自动回滚')));
  });

  it('on Oracle copies no database and says the DBA does', () => {
    const plan = migrationPlan({ route: route('oracle'), inventory, checks: [] });
    assert.ok(!plan.actions.some((a) => a.command.startsWith('COPY DATABASE')));
    assert.ok(plan.findings.some((f) => /不由本流程复制：由 DBA/.test(f.zh)));
    assert.deepEqual(
      decommissionActions(route('oracle')).map((a) => a.command),
      ['REMOVE /opt/acct/app'],
      'an Oracle schema is the DBA’s to drop',
    );
  });

  it('decommissions the old side only: its folder and its SQLite database', () => {
    const plan = decommissionPlan(route('sqlite'), '2026-11-27 09:33');
    assert.deepEqual(
      plan.actions.map((a) => `${a.target} ${a.command}`),
      [
        'acct-app-01 REMOVE /opt/acct/app',
        'sqlite:/opt/acct/acct-app-01.db REMOVE DATABASE sqlite:/opt/acct/acct-app-01.db',
      ],
    );
    assert.match(plan.findings[0]?.zh ?? '', /已于 2026-11-27 09:33 切换到 acct-app-02/);
  });
});
