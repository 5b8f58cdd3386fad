/**
 * The budget-integration exchange in the sandbox: the client as a real process (pid file, log, its
 * admin endpoint, heartbeat) between the treasury database and the province's platform over the
 * platform's signed HTTP API. Payment data goes up once per voucher; vouchers come down in pages of
 * at most 100, become payment vouchers and are signed once; each fault shows where an engineer
 * would look and is healed by clearing it; a replayed item is never taken twice.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { HostPort } from '../../connectors/host/port.ts';
import type { ExchangeItemTable } from '../../connectors/treasury/schema-estate.ts';
import type { ExchangeClientStatus, ItemKey } from '../../domain/exchange-protocol.ts';
import { createPlatformClient } from '../../sandbox/estate/exchange-platform-client.ts';
import type { SandboxHandle } from '../../sandbox/server.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { sandboxApi, startEstateSandbox, type EstateSandbox } from './estate-sandbox.ts';
import { waitFor } from './helpers.ts';

describe('sandbox budget-integration exchange', () => {
  let estate: EstateSandbox;
  let sandbox: SandboxHandle;
  let site: SiteConfig;
  let hosts: HostPort;
  const exchange = () => sandbox.subsystems.exchange!;
  const sub = () => site.subsystems.find((s) => s.kind === 'budget-exchange')!;
  const status = async (): Promise<ExchangeClientStatus> =>
    (await (await fetch(sub().health!.url)).json()) as ExchangeClientStatus;
  const api = sandboxApi(() => sandbox.url);
  const items = (direction: 'up' | 'down', status?: ExchangeItemTable['status']) => {
    let q = sandbox.treasury
      .selectFrom('exchange_items')
      .selectAll()
      .where('direction', '=', direction)
      .where('division', '=', exchange().division);
    if (status) q = q.where('status', '=', status);
    return q.execute();
  };
  const key = (voucherNo: string): ItemKey => ({
    fiscalYear: Number(voucherNo.slice(10, 14)),
    voucherType: voucherNo.slice(0, 4) as ItemKey['voucherType'],
    voucherNo,
  });
  /** A client of the platform holding the exchange client's own key and certificate. */
  const platformAs = (privateKeyPem: string) =>
    createPlatformClient({
      baseUrl: `${sandbox.url}/province/exchange`,
      division: exchange().division,
      credentials: () => ({
        privateKeyPem,
        certificateB64: new X509Certificate(readFileSync(exchange().runner.files.cert)).raw.toString(
          'base64',
        ),
      }),
      now: () => sandbox.clock.now(),
    });
  const cyclesAfter = async (n: number) => waitFor(`cycle ${n}`, async () => (await status()).cycles > n);

  before(async () => {
    estate = await startEstateSandbox({
      keep: (s) => !s.programs.length || s.kind === 'budget-exchange',
      exchangeIntervalMs: 150,
    });
    ({ sandbox, site, hosts } = estate);
  });

  after(async () => {
    await estate?.stop();
  });

  it('runs as a process with its pid file, log and admin endpoint; the paid vouchers’ payment data goes up once each', async () => {
    const program = sub().programs[0]!;
    const running = await hosts.programStatus(program, { logLines: 20 });
    assert.equal(running.running, true, running.detail);
    assert.ok(running.logTail?.some((l) => l.includes('"msg":"started"')));
    const paid = await sandbox.treasury
      .selectFrom('vouchers')
      .select(['voucher_no', 'fiscal_year', 'pay_type', 'amount_fen'])
      .where('status', '=', 'paid')
      .execute();
    assert.ok(paid.length > 20, 'the seed has paid vouchers');
    // The cycle that delivers writes its heartbeat once it has ended.
    await waitFor(
      'every paid voucher delivered, and the cycle ended',
      async () =>
        (await items('up', 'delivered')).length === paid.length &&
        existsSync(exchange().runner.files.heartbeat),
    );
    const s = await status();
    assert.equal(s.version, sub().version);
    assert.equal(s.division, '330127');
    assert.equal(s.lastError, null);
    assert.ok(s.certificate && s.certificate.daysLeft > 700, JSON.stringify(s.certificate));
    assert.match(s.certificate.subject, /OU=330127/);
    const direct = paid.filter((v) => v.pay_type === 'direct').length;
    assert.equal(s.queues['5201']?.up.delivered, direct);
    assert.equal(s.queues['8202']?.up.delivered, paid.length - direct);
    const one = paid[0]!;
    const type = one.pay_type === 'direct' ? '5201' : '8202';
    const held = await api(
      'GET',
      `/sandbox/estate/exchange/items/${one.fiscal_year}/${type}/${one.voucher_no}`,
    );
    assert.equal(held.json.uploads, 1);
    assert.equal((held.json.payment as { amountFen: number }).amountFen, Number(one.amount_fen));
    const heartbeat = JSON.parse(readFileSync(exchange().runner.files.heartbeat, 'utf8')) as { pid: number };
    assert.equal(heartbeat.pid, s.pid);
  });

  it('takes 250 vouchers down in reads of at most 100: each becomes a payment voucher and is signed once', async () => {
    const issued = await api('POST', '/sandbox/estate/exchange/vouchers', {
      voucherType: '5201',
      count: 250,
    });
    assert.equal(issued.status, 201, JSON.stringify(issued.json));
    const numbers = issued.json.issued as string[];
    assert.equal(numbers.length, 250);
    await waitFor('all 250 confirmed', async () => (await items('down', 'confirmed')).length === 250);
    const vouchers = await sandbox.treasury
      .selectFrom('vouchers')
      .select(['voucher_no', 'status', 'pay_type'])
      .where('voucher_no', 'in', numbers)
      .execute();
    assert.equal(vouchers.length, 250);
    assert.ok(vouchers.every((v) => v.status === 'pending_send' && v.pay_type === 'direct'));
    const counts = exchange().platform.counts(exchange().division, key(numbers[137]!));
    assert.deepEqual([counts.signings, counts.returns], [1, 0]);
    const log = readFileSync(sub().programs[0]!.logFile!, 'utf8');
    const payee = exchange().platform.status(exchange().division, key(numbers[0]!))!.voucher.payee;
    assert.ok(!log.includes(payee.accountNo) && !log.includes(payee.accountName), 'no payee data in the log');

    // The platform itself hands out at most 100 a read, and refuses to be asked for more.
    const client = platformAs(readFileSync(exchange().runner.files.key, 'utf8'));
    await api('POST', '/sandbox/estate/exchange/vouchers', { voucherType: '8202', count: 1 });
    await assert.rejects(client.unsigned('5201', 101), /BAD_REQUEST: limit: /);
    const unsigned = await fetch(`${sandbox.url}/province/exchange/vouchers/unsigned?voucherType=5201`);
    assert.equal(unsigned.status, 401, 'nothing without a signature');
    const page = await client.unsigned('5201', 100);
    assert.ok(page.vouchers.length <= 100);
  });

  it('answers status queries over its signed API: a voucher signed for, payment data received, nothing for an unknown number', async () => {
    const client = platformAs(readFileSync(exchange().runner.files.key, 'utf8'));
    const issued = await api('POST', '/sandbox/estate/exchange/vouchers', { voucherType: '8202', count: 1 });
    const [down] = issued.json.issued as string[];
    const signed = await waitFor('signed for', async () => {
      const answer = await client.voucher(key(down!));
      return answer?.state === 'signed' && answer;
    });
    assert.ok(signed.signedAt && signed.issuedAt <= signed.signedAt, JSON.stringify(signed));
    assert.equal(signed.voucher.voucherNo, down);

    const [up] = await items('up', 'delivered');
    const payment = await client.payment(key2(up!));
    assert.deepEqual([payment?.voucherNo, payment?.amountFen], [up!.voucher_no, Number(up!.amount_fen)]);
    assert.ok(payment?.receivedAt);

    const unknown = key(`${down!.slice(0, -4)}9999`);
    assert.equal(await client.voucher(unknown), undefined);
    assert.equal(await client.payment(unknown), undefined);
    await assert.rejects(
      client.voucher({ ...unknown, voucherNo: 'no-such/number' }),
      /BAD_REQUEST: voucherNo: /,
    );
  });

  it('refuses a request signed with another key, naming the code', async () => {
    const { newKeyPair } = await import('../../sandbox/estate/province-ca.ts');
    const stranger = platformAs((await newKeyPair()).privateKeyPem);
    await assert.rejects(stranger.unsigned('5201', 10), (err: Error & { code?: string; status?: number }) => {
      assert.equal(err.code, 'SIGNATURE_INVALID');
      assert.equal(err.status, 401);
      return true;
    });
  });

  it('dead: the process is gone and its pid file stale; the site’s start command brings it back', async () => {
    const program = sub().programs[0]!;
    const injected = await api('POST', '/sandbox/estate/faults', { fault: 'exchange-client-dead' });
    assert.equal(injected.status, 201, JSON.stringify(injected.json));
    assert.equal(injected.json.subsystem, 'budget-exchange');
    const down = await hosts.programStatus(program);
    assert.equal(down.running, false);
    assert.match(down.detail, /stale pid file/);
    await assert.rejects(fetch(sub().health!.url));
    const [started] = await hosts.controlPrograms([program], 'start');
    assert.equal(started?.running, true, started?.detail);
    await cyclesAfter(1);
    await api('DELETE', '/sandbox/estate/faults', { fault: 'exchange-client-dead' });
  });

  it('hung: alive and answering, but its last cycle and heartbeat stand still; a restart through the site’s commands moves it again', async () => {
    await api('POST', '/sandbox/estate/faults', { fault: 'exchange-client-hung' });
    const heartbeat = exchange().runner.files.heartbeat;
    const stuck = await waitFor('the cycles to stop', async () => {
      const first = await status();
      await new Promise((r) => setTimeout(r, 1000));
      const second = await status();
      return first.cycles === second.cycles && second;
    });
    const before = statSync(heartbeat).mtimeMs;
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(statSync(heartbeat).mtimeMs, before, 'the heartbeat file stands still');
    const program = sub().programs[0]!;
    assert.equal((await hosts.programStatus(program)).running, true, 'the process is alive');
    const [restarted] = await hosts.controlPrograms([program], 'restart');
    assert.equal(restarted?.running, true, restarted?.detail);
    const after = await waitFor('a new process cycling', async () => {
      const s = await status().catch(() => undefined);
      return s && s.pid !== stuck.pid && s.cycles > 0 && s;
    });
    assert.notEqual(after.pid, stuck.pid);
    await api('DELETE', '/sandbox/estate/faults', { fault: 'exchange-client-hung' });
  });

  it('uplink backlog: the platform refuses payment data as busy and it piles up; clearing drains it', async () => {
    await api('POST', '/sandbox/estate/faults', { fault: 'exchange-uplink-backlog' });
    const newlyPaid = await sandbox.treasury
      .selectFrom('vouchers')
      .select('voucher_no')
      .where('status', '=', 'accepted')
      .limit(6)
      .execute();
    assert.ok(newlyPaid.length > 0);
    // Receipts arrive for them (what the send/receive program does): they are paid now.
    await sandbox.treasury
      .updateTable('vouchers')
      .set({ status: 'paid', paid_at: sandbox.clock.now().toISOString() })
      .where(
        'voucher_no',
        'in',
        newlyPaid.map((v) => v.voucher_no),
      )
      .execute();
    const piled = await waitFor('a backlog with the refusal', async () => {
      const pending = (await items('up', 'pending')).filter((i) => i.attempts > 1);
      return pending.length === newlyPaid.length && pending;
    });
    assert.match(piled[0]!.last_error ?? '', /PLATFORM_BUSY/);
    const s = await status();
    assert.equal(s.lastError?.code, 'PLATFORM_BUSY');
    assert.ok(Object.values(s.queues).reduce((n, q) => n + (q.up.pending ?? 0), 0) === newlyPaid.length);
    assert.ok(Object.values(s.queues).some((q) => q.oldestUpAt !== null));
    await api('DELETE', '/sandbox/estate/faults', { fault: 'exchange-uplink-backlog' });
    await waitFor('the backlog drained', async () => (await items('up', 'pending')).length === 0);
    for (const v of newlyPaid) {
      const row = (await items('up')).find((i) => i.voucher_no === v.voucher_no)!;
      assert.equal(exchange().platform.counts(exchange().division, key2(row)).uploads, 1);
    }
  });

  it('downlink base data: vouchers naming a unit the county lacks are returned with the reason; replayed twice after the base data arrives, each is signed once and becomes one voucher', async () => {
    const injected = await api('POST', '/sandbox/estate/faults', {
      fault: 'exchange-downlink-base-data',
      count: 3,
    });
    assert.equal(injected.status, 201, JSON.stringify(injected.json));
    const numbers = (injected.json.details as { vouchers: string[] }).vouchers;
    const failed = await waitFor('three failed', async () => {
      const rows = (await items('down', 'failed')).filter((i) => numbers.includes(i.voucher_no));
      return rows.length === 3 && rows;
    });
    assert.match(failed[0]!.last_error ?? '', /预算单位 190001 未同步/);
    // The client records the failure, then returns the vouchers to the platform.
    const held = await waitFor('returned to the province', () => {
      const states = numbers.map((n) => exchange().platform.status(exchange().division, key(n))!);
      return states.every((h) => h.state === 'returned') && states;
    });
    for (const h of held) assert.match(h.reason ?? '', /190001/);
    assert.equal((await status()).queues['5201']?.down.failed, 3);

    await api('DELETE', '/sandbox/estate/faults', { fault: 'exchange-downlink-base-data' });
    assert.equal((await items('down', 'failed')).length, 3, 'the failed items wait for a replay');
    for (let round = 1; round <= 2; round++) {
      await sandbox.treasury
        .updateTable('exchange_items')
        .set({ status: 'replay' })
        .where('direction', '=', 'down')
        .where('voucher_no', 'in', numbers)
        .execute();
      await waitFor(`replay ${round} confirmed`, async () => {
        const rows = (await items('down', 'confirmed')).filter((i) => numbers.includes(i.voucher_no));
        return rows.length === 3;
      });
    }
    for (const n of numbers) {
      const counts = exchange().platform.counts(exchange().division, key(n));
      assert.deepEqual([counts.signings, counts.returns, counts.repeatedDown], [1, 1, 1], n);
      assert.equal(exchange().platform.status(exchange().division, key(n))!.state, 'signed');
    }
    const created = await sandbox.treasury
      .selectFrom('vouchers')
      .select('voucher_no')
      .where('voucher_no', 'in', numbers)
      .execute();
    assert.equal(created.length, 3);
  });

  it('bad signature: every call refused, shown as the last error; cleared by a new key and certificate', async () => {
    await api('POST', '/sandbox/estate/faults', { fault: 'exchange-bad-signature' });
    const refused = await waitFor('the refusal', async () => {
      const s = await status();
      return s.lastError?.code === 'SIGNATURE_INVALID' && s;
    });
    assert.match(refused.lastError!.message, /签名验证失败/);
    const issued = await api('POST', '/sandbox/estate/exchange/vouchers', { voucherType: '8202', count: 2 });
    const numbers = issued.json.issued as string[];
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(exchange().platform.status(exchange().division, key(numbers[1]!))!.state, 'unsigned');
    await api('DELETE', '/sandbox/estate/faults', { fault: 'exchange-bad-signature' });
    await waitFor(
      'taken again',
      async () => exchange().platform.status(exchange().division, key(numbers[1]!))!.state === 'signed',
    );
    await waitFor('no error', async () => (await status()).lastError === null);
  });

  it('certificate about to expire: the admin endpoint shows it, the platform still accepts; cleared by a renewal', async () => {
    const injected = await api('POST', '/sandbox/estate/faults', {
      fault: 'exchange-certificate-expiring',
      days: 7,
    });
    assert.equal(injected.status, 201, JSON.stringify(injected.json));
    const soon = await waitFor('the new certificate loaded', async () => {
      const s = await status();
      return (s.certificate?.daysLeft ?? 999) < 10 && s;
    });
    assert.ok(
      soon.certificate!.daysLeft >= 6 && soon.certificate!.daysLeft <= 7,
      JSON.stringify(soon.certificate),
    );
    const cycles = soon.cycles;
    await waitFor('cycles without error', async () => {
      const s = await status();
      return s.cycles > cycles + 2 && s.lastError === null;
    });
    await api('DELETE', '/sandbox/estate/faults', { fault: 'exchange-certificate-expiring' });
    await waitFor('renewed', async () => ((await status()).certificate?.daysLeft ?? 0) > 700);
  });

  it('refuses bad fault input naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ fault: 'exchange-certificate-expiring', days: 0 }, 'days'],
      [{ fault: 'exchange-client-dead', bank: 'ICBC' }, 'bank'],
      [{ fault: 'exchange-client-dead', subsystem: 'accounting' }, 'subsystem'],
      [{ fault: 'exchange-downlink-base-data', voucherType: '9999' }, 'voucherType'],
    ];
    for (const [body, field] of cases) {
      const res = await api('POST', '/sandbox/estate/faults', body);
      assert.deepEqual([res.status, res.json.field], [400, field], JSON.stringify(res.json));
    }
    const issue = await api('POST', '/sandbox/estate/exchange/vouchers', { count: 0 });
    assert.deepEqual([issue.status, issue.json.field], [400, 'count']);
  });
});

function key2(row: { fiscal_year: number; voucher_type: string; voucher_no: string }): ItemKey {
  return {
    fiscalYear: row.fiscal_year,
    voucherType: row.voucher_type as ItemKey['voucherType'],
    voucherNo: row.voucher_no,
  };
}
