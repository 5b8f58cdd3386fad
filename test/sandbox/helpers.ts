/** Shared helpers for the sandbox tests: a site built from the committed sandbox file, in a temp dir. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TreasuryDb } from '../../connectors/treasury/database.ts';
import { freePorts } from '../../scripts/lib/free-port.ts';
import { instantAt, localDate } from '../../sandbox/calendar.ts';
import type { ClockState } from '../../sandbox/clock.ts';
import { unsentVoucher } from '../../sandbox/seed/voucher-row.ts';
import type { SandboxHandle } from '../../sandbox/server.ts';
import { startSandbox } from '../../sandbox/server.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { loadSite } from '../../temporal.config.ts';
import { patienceMs } from '../support/patience.ts';
import { testBuild } from '../support/test-build.ts';

export interface TestSite {
  site: SiteConfig;
  dir: string;
  cleanup(): void;
}

export const credentials = { user: 'mqadmin', password: 'sandbox-test-secret' };

export async function testSite(options: { banks?: number; programs?: boolean } = {}): Promise<TestSite> {
  const dir = mkdtempSync(join(tmpdir(), 'jincai-sandbox-'));
  const base = loadSite();
  const count = options.banks ?? base.banks.length;
  const ports = await freePorts(count);
  const template = base.banks[0] as SiteConfig['banks'][number];
  const banks =
    count > base.banks.length
      ? Array.from({ length: count }, (_, i) => {
          const code = `B${String(i + 1).padStart(3, '0')}`;
          return {
            ...template,
            code,
            name: `测试银行${i + 1}`,
            qmgr: `QM.${code}`,
            senderChannel: `CZ.TO.${code}`,
            receiverChannel: `${code}.TO.CZ`,
            xmitq: `QM.${code}`,
            programs: [],
          };
        })
      : base.banks;
  const site: SiteConfig = {
    ...base,
    treasury: { adapter: 'sqlite', sqlite: { path: join(dir, 'treasury.db') } },
    banks: banks.map((b, i) => ({
      ...b,
      frontEnd: { host: '127.0.0.1', port: ports[i] as number },
      programs:
        options.programs === false || b.programs.length === 0
          ? []
          : [{ name: `收发程序-${b.code}`, pidFile: join(dir, 'run', `send-receive-${b.code}.pid`) }],
    })),
    ...privateData(base, dir),
    sandbox: { port: 9080, dataDir: dir, secretsDir: join(dir, 'secrets') },
    addedBanksDir: join(dir, 'added-banks'),
    statements: { divisionCode: '330102', ...base.statements, exchangeDir: join(dir, 'exchange') },
    calendar: { ...base.calendar, dir: join(dir, 'calendar') },
  };
  return { site, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The committed site's folders under its data folder — the hosts', the installed applications',
 * their programs' pid and log files, the release repository and its key — moved into `dir`, so
 * tests that run at once, and the stack, never share them.
 */
function privateData(base: SiteConfig, dir: string): Pick<SiteConfig, 'hosts' | 'subsystems' | 'releases'> {
  const from = base.sandbox?.dataDir ?? '';
  const local = (p: string) => (from && p.startsWith(`${from}/`) ? join(dir, p.slice(from.length + 1)) : p);
  const programs = (list: SiteConfig['subsystems'][number]['programs']) =>
    list.map((p) =>
      'pidFile' in p
        ? { ...p, pidFile: local(p.pidFile), ...(p.logFile && { logFile: local(p.logFile) }) }
        : p,
    );
  const store = <D extends { adapter: string }>(d: D): D =>
    d.adapter === 'sqlite' && 'path' in d && typeof d.path === 'string' ? { ...d, path: local(d.path) } : d;
  return {
    hosts: base.hosts.map((h) => (h.adapter === 'local' ? { ...h, paths: h.paths.map(local) } : h)),
    subsystems: base.subsystems.map((s) => ({
      ...s,
      ...(s.install && {
        install: { ...s.install, dir: local(s.install.dir), backupDir: local(s.install.backupDir) },
      }),
      // The application's own database and each migration target's side are files too: two test
      // files at once shared the committed site's accounting database, and one's install of it
      // deleted the journal the other was writing (SQLITE_IOERR_DELETE_NOENT).
      ...(s.database?.store && { database: { ...s.database, store: store(s.database.store) } }),
      migrationTargets: s.migrationTargets.map((t) => ({
        ...t,
        dir: local(t.dir),
        backupDir: local(t.backupDir),
        programs: programs(t.programs),
        database: store(t.database),
      })),
      programs: programs(s.programs),
    })),
    ...(base.releases && {
      releases: {
        dir: local(base.releases.dir),
        signers: base.releases.signers.map((k) => ({
          ...k,
          ...(k.publicKeyFile && { publicKeyFile: local(k.publicKeyFile) }),
        })),
      },
    }),
  };
}

/** A running clock set to 10:00 today in Shanghai, inside every bank's window. */
export function businessMorning(): ClockState {
  const today = localDate(new Date());
  return { mode: 'offset', offsetMs: instantAt(today, '10:00').getTime() - Date.now() };
}

export async function startTestSandbox(
  options: { programs?: boolean; clock?: ClockState } = {},
): Promise<{ sandbox: SandboxHandle; site: TestSite }> {
  process.env.JINCAI_MQWEB_USER = credentials.user;
  process.env.JINCAI_MQWEB_PASSWORD = credentials.password;
  const site = await testSite({ programs: options.programs });
  try {
    const sandbox = await startSandbox({
      site: site.site,
      port: 0,
      reseed: true,
      clock: options.clock ?? businessMorning(),
      tickMs: 50,
      programIntervalMs: 100,
      programsBuild: testBuild(),
    });
    return { sandbox, site };
  } catch (err) {
    site.cleanup();
    throw err;
  }
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = patienceMs,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function authHeader(user = credentials.user, password = credentials.password): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** Runs MQSC through the sandbox's mqweb endpoint, as the engine's adapter does. */
export async function mqsc(url: string, qmgr: string, command: string): Promise<string> {
  const res = await fetch(`${url}/ibmmq/rest/v2/admin/action/qmgr/${encodeURIComponent(qmgr)}/mqsc`, {
    method: 'POST',
    headers: {
      authorization: authHeader(),
      'ibm-mq-rest-csrf-token': 'x',
      'content-type': 'application/json',
    },
    body: JSON.stringify({ type: 'runCommand', parameters: { command } }),
  });
  return res.text();
}

/** Submits a direct payment as finance's side does: a voucher waiting for the send program (payee PA000004). */
export async function submitDirectVoucher(
  db: TreasuryDb,
  v: { voucherNo: string; bank: string; fiscalYear: number; date: string; amountFen: number; at: Date },
): Promise<void> {
  await db
    .insertInto('vouchers')
    .values(
      unsentVoucher({
        voucher_no: v.voucherNo,
        fiscal_year: v.fiscalYear,
        bank_code: v.bank,
        pay_type: 'direct',
        amount_fen: v.amountFen,
        payee_account_id: 'PA000004',
        budget_unit_code: '103001',
        subject_code: '2050202',
        status: 'pending_send',
        business_date: v.date,
        submitted_at: v.at.toISOString(),
        updated_at: v.at.toISOString(),
      }),
    )
    .execute();
}
