/**
 * The sandbox's application servers (user accounts, bank accounts, fund application, accounting):
 * real processes seen through the production host port (pid file, log tail, the site's start
 * command) and their health URLs; each estate fault through the sandbox API, found where an
 * engineer would look, and healed by clearing it or by the site's start command.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HealthProbe, HostPort } from '../../connectors/host/port.ts';
import type { SandboxHandle } from '../../sandbox/server.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { sandboxApi, startEstateSandbox, type EstateSandbox } from './estate-sandbox.ts';
import { until } from '../support/worker-lane.ts';

const apps = ['user-accounts', 'bank-accounts', 'fund-application', 'accounting'];

describe('sandbox application servers and their faults', () => {
  let estate: EstateSandbox;
  let sandbox: SandboxHandle;
  let site: SiteConfig;
  let hosts: HostPort;
  const sub = (id: string) => site.subsystems.find((s) => s.id === id)!;
  const health = (id: string): Promise<HealthProbe> => {
    const { url, timeoutMs } = sub(id).health!;
    return hosts.probeHealth(url, timeoutMs);
  };
  const api = sandboxApi(() => sandbox.url);

  before(async () => {
    estate = await startEstateSandbox({});
    ({ sandbox, site, hosts } = estate);
  });

  after(async () => {
    await estate?.stop();
  });

  it('runs each as a process with its pid file and log, answering its health URL with the declared version', async () => {
    for (const id of apps) {
      const status = await hosts.programStatus(sub(id).programs[0]!, { logLines: 5 });
      assert.equal(status.running, true, `${id}: ${status.detail}`);
      assert.ok(
        status.logTail?.some((l) => l.includes('"msg":"started"')),
        `${id} logged its start`,
      );
      const probe = await health(id);
      assert.equal(probe.status, 200, JSON.stringify(probe));
      assert.deepEqual(
        {
          version: (probe.body as { version: string }).version,
          db: (probe.body as { database: unknown }).database,
        },
        { version: sub(id).version, db: { state: 'ok', schemaVersion: sub(id).database?.schemaVersion } },
      );
    }
  });

  it('down: the process is gone and its pid file stale; the site’s start command brings it back', async () => {
    const program = sub('user-accounts').programs[0]!;
    const injected = await api('POST', '/sandbox/estate/faults', {
      fault: 'subsystem-down',
      subsystem: 'user-accounts',
    });
    assert.equal(injected.status, 201, JSON.stringify(injected.json));
    const down = await hosts.programStatus(program);
    assert.equal(down.running, false);
    assert.match(down.detail, /is not running \(stale pid file\)/);
    assert.equal((await health('user-accounts')).ok, false);

    const [started] = await hosts.controlPrograms([program], 'start');
    assert.equal(started?.running, true, started?.detail);
    assert.equal((await health('user-accounts')).status, 200);
    await api('DELETE', '/sandbox/estate/faults', { fault: 'subsystem-down', subsystem: 'user-accounts' });
  });

  it('unhealthy, version mismatch and database unreachable show on the health URL until cleared', async () => {
    await api('POST', '/sandbox/estate/faults', {
      fault: 'subsystem-unhealthy',
      subsystem: 'bank-accounts',
      reason: '账户同步任务积压',
    });
    await api('POST', '/sandbox/estate/faults', {
      fault: 'subsystem-version-mismatch',
      subsystem: 'fund-application',
      version: '5.0.9',
    });
    await api('POST', '/sandbox/estate/faults', {
      fault: 'subsystem-db-unreachable',
      subsystem: 'accounting',
    });

    const unhealthy = await health('bank-accounts');
    assert.equal(unhealthy.status, 503);
    assert.equal((unhealthy.body as { reason: string }).reason, '账户同步任务积压');
    const mismatch = await health('fund-application');
    assert.equal(mismatch.status, 200);
    assert.equal((mismatch.body as { version: string }).version, '5.0.9');
    assert.notEqual(sub('fund-application').version, '5.0.9');
    const noDb = await health('accounting');
    assert.equal(noDb.status, 503);
    assert.equal((noDb.body as { database: { state: string } }).database.state, 'unreachable');
    const log = await hosts.programStatus(sub('accounting').programs[0]!, { logLines: 3 });
    assert.ok(log.running, 'the process itself still runs');
    assert.ok(
      log.logTail?.some((l) => l.includes('数据库连接失败')),
      JSON.stringify(log.logTail),
    );

    const cleared = await api('DELETE', '/sandbox/estate/faults', {});
    assert.equal((cleared.json.cleared as unknown[]).length, 3);
    for (const id of ['bank-accounts', 'fund-application', 'accounting']) {
      const probe = await health(id);
      assert.equal(probe.status, 200, `${id}: ${JSON.stringify(probe.body)}`);
      assert.equal((probe.body as { version: string }).version, sub(id).version);
    }
  });

  it('the estate-trouble scenario combines four faults; clearing them all heals the estate', async () => {
    const run = await api('POST', '/sandbox/estate/scenarios/estate-trouble');
    assert.equal(run.status, 200);
    assert.deepEqual(
      (run.json.injected as { fault: string; subsystem: string }[]).map((f) => `${f.fault}/${f.subsystem}`),
      [
        'subsystem-down/user-accounts',
        'subsystem-db-unreachable/accounting',
        'subsystem-version-mismatch/fund-application',
        'subsystem-unhealthy/bank-accounts',
      ],
    );
    const state = await api('GET', '/sandbox/estate');
    assert.equal((state.json.faults as unknown[]).length, 4);
    await api('DELETE', '/sandbox/estate/faults', {});
    // A server whose database came back answers from its next look at it: waited for, not assumed.
    for (const id of apps) await until(`${id} healthy again`, async () => (await health(id)).status === 200);
  });

  it('refuses bad fault input naming the field', async () => {
    const unknownFault = await api('POST', '/sandbox/estate/faults', {
      fault: 'meteor',
      subsystem: 'accounting',
    });
    assert.deepEqual([unknownFault.status, unknownFault.json.field], [400, 'fault']);
    const unknownSub = await api('POST', '/sandbox/estate/faults', {
      fault: 'subsystem-down',
      subsystem: 'mainframe',
    });
    assert.deepEqual([unknownSub.status, unknownSub.json.field], [400, 'subsystem']);
    const extra = await api('POST', '/sandbox/estate/faults', {
      fault: 'subsystem-down',
      subsystem: 'accounting',
      bank: 'ICBC',
    });
    assert.deepEqual([extra.status, extra.json.field], [400, 'bank']);
  });
});
