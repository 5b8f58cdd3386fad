import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { localDate, previousWorkday } from '../../sandbox/calendar.ts';
import type { SandboxHandle } from '../../sandbox/server.ts';
import type { TestSite } from './helpers.ts';
import { authHeader, mqsc, startTestSandbox, waitFor } from './helpers.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function tcpReachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

describe('fault injection', () => {
  let sandbox: SandboxHandle;
  let site: TestSite;
  before(async () => {
    ({ sandbox, site } = await startTestSandbox());
  });
  after(async () => {
    await sandbox?.stop();
    site?.cleanup();
  });

  const bank = (code: string) => sandbox.site.banks.find((b) => b.code === code)!;
  const chstatus = (channel: string) => mqsc(sandbox.url, 'QM.CZ', `DISPLAY CHSTATUS(${channel}) ALL`);
  const prevDate = () => previousWorkday(localDate(sandbox.clock.now()));
  const dailyReport = (code: string) =>
    sandbox.treasury
      .selectFrom('bank_reports')
      .select('received_at')
      .where('bank_code', '=', code)
      .where('kind', '=', 'daily_report')
      .where('business_date', '=', prevDate())
      .executeTakeFirst();
  const api = (method: string, path: string, body?: unknown, auth = authHeader()) =>
    fetch(`${sandbox.url}${path}`, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('"bad Monday" shows each of its faults where the engine looks', async () => {
    const bocPid = sandbox.programs.info('BOC')?.pid;
    assert.ok(bocPid && alive(bocPid));
    const res = await api('POST', '/sandbox/scenarios/bad-monday');
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { injected: unknown[] }).injected.length, 5);

    // ICBC: network down, the sender retries, the front end refuses TCP.
    await waitFor('CZ.TO.ICBC to retry', async () => /STATUS\(RETRYING\)/.test(await chstatus('CZ.TO.ICBC')));
    assert.equal(await tcpReachable('127.0.0.1', bank('ICBC').frontEnd.port), false);
    // CCB: sequence numbers disagree, the sender is stopped.
    assert.match(await chstatus('CZ.TO.CCB'), /STATUS\(STOPPED\)/);
    assert.ok(
      sandbox.estate.errorLog('QM.CZ').some((l) => l.includes('AMQ9526E') && l.includes('CZ.TO.CCB')),
    );
    // BOC: the program process is really gone and its pid file is stale.
    await waitFor('the BOC program to die', () => !alive(bocPid));
    const pidFile = sandbox.programs.info('BOC')!.pidFile;
    assert.ok(existsSync(pidFile));
    assert.equal(readFileSync(pidFile, 'utf8').trim(), String(bocPid));
    // RCB: the previous working day's daily report was never received.
    assert.equal(await dailyReport('RCB'), undefined);
    const logged = await sandbox.treasury
      .selectFrom('message_log')
      .select('id')
      .where('bank_code', '=', 'RCB')
      .where('kind', '=', 'daily_report')
      .where('business_date', '=', prevDate())
      .execute();
    assert.equal(logged.length, 0);
    assert.deepEqual(sandbox.banks.bank('RCB').closeDay(prevDate()), ['payment_list', 'recon_file']);
    // ABC: three messages on its queue manager's dead-letter queue.
    assert.match(
      await mqsc(sandbox.url, 'QM.ABC', 'DISPLAY QLOCAL(SYSTEM.DEAD.LETTER.QUEUE) CURDEPTH'),
      /CURDEPTH\(3\)/,
    );
    // The other banks are untouched.
    assert.match(await chstatus('CZ.TO.ABC'), /STATUS\(RUNNING\)/);
  });

  it('clearing the faults heals every one of them', async () => {
    const res = await api('POST', '/sandbox/scenarios/healthy');
    assert.equal(res.status, 200);
    for (const code of ['ICBC', 'CCB']) {
      await waitFor(`CZ.TO.${code} to run`, async () =>
        /STATUS\(RUNNING\)/.test(await chstatus(`CZ.TO.${code}`)),
      );
    }
    assert.equal(await tcpReachable('127.0.0.1', bank('ICBC').frontEnd.port), true);
    const boc = sandbox.programs.info('BOC')!;
    assert.ok(boc.running && boc.pid && alive(boc.pid));
    assert.equal(readFileSync(boc.pidFile, 'utf8').trim(), String(boc.pid));
    await waitFor('the RCB daily report to arrive', () => dailyReport('RCB'));
    assert.match(
      await mqsc(sandbox.url, 'QM.ABC', 'DISPLAY QLOCAL(SYSTEM.DEAD.LETTER.QUEUE) CURDEPTH'),
      /CURDEPTH\(0\)/,
    );
    const state = (await (await api('GET', '/sandbox/state')).json()) as { faults: unknown[] };
    assert.deepEqual(state.faults, []);
  });

  it('a malformed voucher and lagging base data are refused by the bank with their codes', async () => {
    const inject = async (fault: string) => {
      const res = await api('POST', '/sandbox/faults', { fault, bank: 'ABC' });
      assert.equal(res.status, 201);
      return ((await res.json()) as { details: { vouchers: string[]; payees?: string[] } }).details;
    };
    const malformed = await inject('malformed-voucher');
    const lagging = (await inject('base-data-out-of-sync')).vouchers;
    const failure = (no: string) =>
      waitFor(`${no} to be refused`, async () => {
        const v = await sandbox.treasury
          .selectFrom('vouchers')
          .select(['status', 'failure_code'])
          .where('voucher_no', '=', no)
          .executeTakeFirstOrThrow();
        return v.status === 'rejected' ? v.failure_code : undefined;
      });
    assert.equal(await failure(malformed.vouchers[0]!), 'E_ACCOUNT_FORMAT');
    assert.equal(await failure(lagging[0]!), 'E_BASE_DATA_VERSION');
    const res = await api('DELETE', '/sandbox/faults', { bank: 'ABC' });
    assert.equal(res.status, 200);
    const versions = await sandbox.treasury
      .selectFrom('base_data_versions')
      .selectAll()
      .where('bank_code', '=', 'ABC')
      .execute();
    assert.ok(versions.every((v) => v.version_acked === v.version_current));
    const fixed = await sandbox.treasury
      .selectFrom('payee_accounts')
      .select('account_no')
      .where('id', '=', malformed.payees![0]!)
      .executeTakeFirstOrThrow();
    assert.match(fixed.account_no, /^\d{19}$/);
    assert.equal(
      sandbox.banks.ledger('ABC').versions().payee_account,
      versions.find((v) => v.kind === 'payee_account')?.version_current,
    );
  });

  it('refuses bad fault input with 400 naming the field, and strangers with 401', async () => {
    const cases: [unknown, string][] = [
      [{ fault: 'coffee-spill', bank: 'ICBC' }, 'fault'],
      [{ fault: 'dead-letters', bank: 'XYZ' }, 'bank'],
      [{ fault: 'dead-letters' }, 'bank'],
      [{ fault: 'dead-letters', bank: 'ABC', count: -2 }, 'count'],
      [{ fault: 'dead-letters', bank: 'ABC', colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const res = await api('POST', '/sandbox/faults', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      const json = (await res.json()) as { field: string; error: string };
      assert.equal(json.field, field, JSON.stringify(json));
    }
    assert.equal((await api('DELETE', '/sandbox/faults', { fault: 'nope' })).status, 400);
    assert.equal((await api('POST', '/sandbox/scenarios/sunny-friday')).status, 404);
    assert.equal((await api('GET', '/sandbox/state', undefined, authHeader('mqadmin', 'wrong'))).status, 401);
  });

  it('moves the business clock over HTTP', async () => {
    const res = await api('POST', '/sandbox/clock', {
      action: 'set',
      at: '2026-12-31T09:00:00+08:00',
      frozen: true,
    });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { businessDate: string }).businessDate, '2026-12-31');
    const advanced = (await (
      await api('POST', '/sandbox/clock', { action: 'advance', minutes: 90 })
    ).json()) as { localTime: string };
    assert.equal(advanced.localTime, '10:30');
    assert.equal((await api('POST', '/sandbox/clock', { action: 'advance' })).status, 400);
    const reset = (await (await api('POST', '/sandbox/clock', { action: 'reset' })).json()) as {
      state: { mode: string };
    };
    assert.equal(reset.state.mode, 'real');
  });
});
