/**
 * A temporary site for a test: the committed sandbox estate with free ports, a private data
 * folder and unique task queues, written to a file so child processes can load it too.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import {
  defaultSiteFile,
  parseSite,
  type SiteConfig,
  type TemporalTlsConfig,
} from '../../temporal.config.ts';
import { freePorts } from '../../scripts/lib/free-port.ts';
import { ensureSigningKeyPair } from '../../connectors/approvals/signing-keys.ts';
import { projectRoot } from '../../temporal.config.ts';
import { testAuditSection } from './audit-site.ts';

/**
 * A subsystem's health URL may take this long to answer in a test: the site's 3 s is for a quiet
 * production host, and a test machine at load 30 has taken longer to answer a healthy server. A
 * server that answers ends the probe at once; none of the sandbox's faults leaves it unanswered.
 */
export const testHealthTimeoutMs = 30_000;

export interface TestSite {
  site: SiteConfig;
  file: string;
  dir: string;
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

export interface RawSite {
  temporal: Record<string, unknown>;
  mq: Record<string, unknown>;
  banks: Record<string, unknown>[];
  [section: string]: unknown;
}

interface SubsystemBanks {
  payroll?: { bank: string };
  officialCard?: { banks: string[] };
}

export async function makeTestSite(options: {
  temporalAddress: string;
  /** The test file's namespace (test/support/temporal.ts); default the committed site's. */
  temporalNamespace?: string;
  /** The server's TLS settings (the cluster run); absent: plain TCP. */
  temporalTls?: TemporalTlsConfig;
  banks?: string[];
  /** Changes to the committed site before ports and folders are assigned. */
  edit?: (raw: RawSite) => void;
  /** Give each bank a send/receive program (default true). */
  programs?: boolean;
  /** Last changes, after ports and folders are assigned. */
  afterPorts?: (raw: RawSite) => void;
}): Promise<TestSite> {
  const dir = mkdtempSync(join(tmpdir(), 'jincai-test-'));
  const raw = parseYaml(readFileSync(defaultSiteFile, 'utf8')) as RawSite;
  const suffix = randomUUID().slice(0, 8);
  raw.temporal = {
    ...raw.temporal,
    address: options.temporalAddress,
    ...(options.temporalNamespace && { namespace: options.temporalNamespace }),
    ...(options.temporalTls && { tls: options.temporalTls }),
    taskQueues: { runbooks: `runbooks-${suffix}`, comm: `comm-${suffix}`, db: `db-${suffix}` },
  };
  if (options.banks) {
    const wanted = options.banks;
    raw.banks = raw.banks.filter((b) => wanted.includes(b.code as string));
  }
  // The committed site's year-end freeze would hold back the changes under test every late December:
  // a test that wants a freeze declares its own.
  raw.calendar = { ...(raw.calendar as object | undefined), freezes: [] };
  // Worker and inbox processes of concurrent tests would meet on the default ports; a test that
  // scrapes them gives them free ones.
  raw.metrics = { enabled: false };
  options.edit?.(raw);
  // A subsystem tied to a bank the test left out or replaced (payroll, official card) goes with it.
  const codes = new Set(raw.banks.map((b) => b.code));
  const subsystems = raw.subsystems as SubsystemBanks[] | undefined;
  raw.subsystems = subsystems?.filter((s) =>
    [s.payroll?.bank, ...(s.officialCard?.banks ?? [])].every(
      (code) => code === undefined || codes.has(code),
    ),
  );
  const rawSubsystems = (raw.subsystems as RawSubsystem[] | undefined) ?? [];
  const served =
    rawSubsystems.filter((s) => s.ports?.length).length +
    rawSubsystems.flatMap((s) => s.migrationTargets ?? []).filter((t) => t.ports?.length).length;
  const ports = await freePorts(raw.banks.length + 1 + served);
  const sandboxUrl = `http://127.0.0.1:${ports[0]}`;
  // The site's start commands go through the sandbox CLI, told which sandbox is the test's.
  const startCommand = (...words: string[]) => ({
    argv: ['node_modules/.bin/tsx', 'sandbox/cli.ts', ...words, '--url', sandboxUrl],
    cwd: projectRoot,
  });
  raw.banks = raw.banks.map((b, i) => ({
    ...b,
    frontEnd: { host: '127.0.0.1', port: ports[i + 1] },
    programs:
      options.programs === false
        ? []
        : [
            {
              name: `收发程序-${String(b.code)}`,
              pidFile: join(dir, 'run', `send-receive-${String(b.code)}.pid`),
              logFile: join(dir, 'logs', `send-receive-${String(b.code)}.log`),
              start: startCommand('program', 'start', String(b.code)),
            },
          ],
  }));
  relocateEstate(raw, dir, { sandboxUrl, ports: ports.slice(raw.banks.length + 1), startCommand });
  raw.treasury = { adapter: 'sqlite', sqlite: { path: join(dir, 'treasury.db') } };
  raw.mq = { ...raw.mq, mqweb: { ...(raw.mq.mqweb as object), baseUrl: `http://127.0.0.1:${ports[0]}` } };
  raw.sandbox = { port: ports[0], dataDir: dir, secretsDir: join(dir, 'secrets') };
  raw.reports = { dir: join(dir, 'reports') };
  // Approvals, audit and notifications keep their state in the test's own folder.
  const approvals = raw.approvals as Record<string, unknown>;
  raw.approvals = {
    ...approvals,
    signers: [{ keyId: 'test-inbox', publicKeyFile: join(dir, 'secrets', 'approval-signing.pub') }],
    signingKey: { keyId: 'test-inbox', privateKeyFile: join(dir, 'secrets', 'approval-signing.key') },
    users: { adapter: 'local', file: join(dir, 'secrets', 'users.json') },
  };
  raw.audit = testAuditSection(dir);
  raw.addedBanksDir = join(dir, 'added-banks');
  raw.pidDirs = [join(dir, 'run')];
  raw.statements = {
    ...(raw.statements as object),
    exchangeDir: join(dir, 'exchange'),
    workDir: join(dir, 'reconciliation'),
  };
  raw.calendar = { ...(raw.calendar as object | undefined), dir: join(dir, 'calendar') };
  // Named as in the committed site, so its subsystems' `answeredBy.notify` still finds it.
  raw.notify = { targets: [{ type: 'file', name: 'sandbox-file', path: join(dir, 'notifications.jsonl') }] };
  ensureSigningKeyPair(
    join(dir, 'secrets', 'approval-signing.key'),
    join(dir, 'secrets', 'approval-signing.pub'),
  );
  options.afterPorts?.(raw);
  const file = join(dir, 'site.yaml');
  // Written out in full: edits that share one object between banks must not become YAML aliases.
  writeFileSync(file, stringify(raw, { aliasDuplicateObjects: false }));
  const env = {
    ...process.env,
    JINCAI_SITE: file,
    JINCAI_MQWEB_USER: 'mqadmin',
    JINCAI_MQWEB_PASSWORD: `test-${suffix}`,
  };
  return {
    site: parseSite(readFileSync(file, 'utf8'), file),
    file,
    dir,
    env,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

type RawPrograms = { pidFile?: string; logFile?: string; start?: { argv: string[]; cwd?: string } }[];
interface RawSubsystem {
  kind: string;
  programs?: RawPrograms;
  ports?: { name?: string; host: string; port: number }[];
  health?: { url: string };
  install?: { host: string; dir: string; backupDir: string };
  database?: { store?: { adapter: string; path?: string } };
  migrationTargets?: {
    dir: string;
    backupDir: string;
    programs?: RawPrograms;
    ports?: { host: string; port: number }[];
    health?: { url: string };
    database: { adapter: string; path?: string };
  }[];
  exchange?: { platformUrl: string };
  procurement?: { cloudUrl: string };
}

/**
 * The committed site's folders under its data folder (hosts, installed applications, the release
 * repository, the subsystems' pid and log files) moved into the test's own, and every subsystem
 * that listens on a port given a free one, so tests that run at once never share them; their
 * start commands, the province's platform and the procurement cloud reach the test's sandbox.
 */
function relocateEstate(
  raw: RawSite,
  dir: string,
  estate: {
    sandboxUrl: string;
    /** A free port for each subsystem that declares ports, in order. */
    ports: number[];
    startCommand: (...words: string[]) => { argv: string[]; cwd: string };
  },
): void {
  const prefix = '../data/sandbox/';
  const local = (p: string) => (p.startsWith(prefix) ? join(dir, p.slice(prefix.length)) : p);
  const atSandbox = (url: string) => `${estate.sandboxUrl}${new URL(url).pathname}`;
  const free = [...estate.ports];
  raw.hosts = (raw.hosts as { adapter: string; paths?: string[] }[] | undefined)?.map((h) =>
    h.adapter === 'local' ? { ...h, paths: (h.paths ?? []).map(local) } : h,
  );
  const programs = (list: RawPrograms) =>
    list.map((p) => ({
      ...p,
      ...(p.pidFile && { pidFile: local(p.pidFile) }),
      ...(p.logFile && { logFile: local(p.logFile) }),
      ...(p.start && { start: estate.startCommand(...p.start.argv.slice(2)) }),
    }));
  const store = <D extends { adapter: string; path?: string }>(d: D): D =>
    d.path ? { ...d, path: local(d.path) } : d;
  const served = <X extends Pick<RawSubsystem, 'ports' | 'health'>>(x: X, port: number | undefined) =>
    port === undefined
      ? {}
      : {
          ports: (x.ports ?? []).map((p, i) => (i === 0 ? { ...p, host: '127.0.0.1', port } : p)),
          ...(x.health && {
            health: {
              ...x.health,
              url: `http://127.0.0.1:${port}${new URL(x.health.url).pathname}`,
              timeoutMs: testHealthTimeoutMs,
            },
          }),
        };
  if (typeof raw.placementsDir === 'string') raw.placementsDir = local(raw.placementsDir);
  raw.subsystems = (raw.subsystems as RawSubsystem[] | undefined)?.map((s) => {
    const port = s.ports?.length ? (free.shift() as number) : undefined;
    return {
      ...s,
      ...(s.database?.store && { database: { ...s.database, store: store(s.database.store) } }),
      ...(s.migrationTargets && {
        migrationTargets: s.migrationTargets.map((t) => ({
          ...t,
          dir: local(t.dir),
          backupDir: local(t.backupDir),
          programs: programs(t.programs ?? []),
          database: store(t.database),
          ...served(t, t.ports?.length ? (free.shift() as number) : undefined),
        })),
      }),
      ...(s.install && {
        install: { ...s.install, dir: local(s.install.dir), backupDir: local(s.install.backupDir) },
      }),
      ...(s.programs && { programs: programs(s.programs) }),
      ...served(s, port),
      ...(s.exchange && { exchange: { ...s.exchange, platformUrl: atSandbox(s.exchange.platformUrl) } }),
      ...(s.procurement && {
        procurement: { ...s.procurement, cloudUrl: atSandbox(s.procurement.cloudUrl) },
      }),
      ...(!port &&
        s.health && {
          health: { ...s.health, url: atSandbox(s.health.url), timeoutMs: testHealthTimeoutMs },
        }),
    };
  });
  const releases = raw.releases as { dir: string; signers: { publicKeyFile?: string }[] } | undefined;
  if (releases)
    raw.releases = {
      dir: local(releases.dir),
      signers: releases.signers.map((k) => ({
        ...k,
        ...(k.publicKeyFile && { publicKeyFile: local(k.publicKeyFile) }),
      })),
    };
}
