/**
 * Runs `temporal server start-dev` as a child process: the embedded Temporal server of the local
 * stack and of integration tests. Resolves once the frontend really serves (gRPC round trip and
 * the namespace described), so callers can connect workers and clients straight away.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readSync, fstatSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { parse as parseYaml } from 'yaml';
import { freePorts } from './free-port.ts';

export type SearchAttributeType = 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

/** The custom search attributes every runbook may set (DESIGN.md, Observability). */
export const projectSearchAttributes = {
  Runbook: 'Keyword',
  BankCode: 'KeywordList',
  FiscalYear: 'Int',
  PendingApproval: 'Bool',
  ApprovalRoles: 'KeywordList',
  Outcome: 'Keyword',
  Light: 'Keyword',
  RequestedBy: 'Keyword',
  AwaitingClaim: 'Bool',
} as const satisfies Record<string, SearchAttributeType>;

const deploymentDynamicConfig = new URL('../../deploy/temporal/dynamicconfig.yaml', import.meta.url);

/**
 * The payload size limits a site's cluster sets (deploy/temporal/dynamicconfig.yaml), so that the
 * embedded server refuses what a site's refuses: an input, a signal, an update or a result larger
 * than `limit.blobSize.error` fails where it is sent, instead of growing a run's history towards the
 * size at which the server terminates the run.
 */
export function deploymentBlobLimits(): Record<string, number> {
  const config = parseYaml(readFileSync(deploymentDynamicConfig, 'utf8')) as Record<
    string,
    [{ value: number }]
  >;
  return Object.fromEntries(
    ['limit.blobSize.error', 'limit.blobSize.warn'].map((key) => {
      const value = config[key]?.[0]?.value;
      if (typeof value !== 'number')
        throw new Error(`${deploymentDynamicConfig.pathname}: no number for ${key}`);
      return [key, value];
    }),
  );
}

export interface DevServerOptions {
  cliPath: string;
  /** Address the frontend binds to; default 127.0.0.1. */
  ip?: string;
  /** Frontend gRPC port; default a free port. */
  port?: number;
  /** Web UI port; default a free port; `false` runs headless. */
  uiPort?: number | false;
  /** Address the Web UI binds to; default 127.0.0.1 (it is reached through the inbox). */
  uiIp?: string;
  /** The path the Web UI is served under (`--ui-public-path`), e.g. `/temporal` behind the inbox; default `/`. */
  uiPublicPath?: string;
  httpPort?: number;
  /** SQLite file for persistence across restarts; omitted = in memory. */
  dbFile?: string;
  /** Created at start besides `default`; also what readiness checks. Default `default`. */
  namespace?: string;
  /** More namespaces created at start, each with the search attributes (e.g. one per test file). */
  extraNamespaces?: string[];
  searchAttributes?: Record<string, SearchAttributeType>;
  /** Server stdout/stderr are appended here; omitted = kept in memory for error reports only. */
  logFile?: string;
  /** Remote codec endpoint the Web UI decodes payloads with (`--ui-codec-endpoint`), e.g. the inbox's `/codec`. */
  uiCodecEndpoint?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** `--dynamic-config-value KEY=JSON` pairs, over the deployment's blob size limits (deploymentBlobLimits). */
  dynamicConfig?: Record<string, unknown>;
  /** How long to wait for the frontend; default 60 s. */
  startTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface DevServerHandle {
  /** host:port for `Connection.connect({ address })`. */
  address: string;
  uiUrl?: string;
  namespace: string;
  pid: number;
  /** Settles when the server process ends, for whatever reason. */
  exited: Promise<ExitInfo>;
  /** SIGTERM, then SIGKILL after 10 s; resolves once the process is gone. Idempotent. */
  stop(): Promise<void>;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all. */
  error?: Error;
}

/** The server died or never answered; `logTail` holds its last log lines. */
export class DevServerStartError extends Error {
  constructor(
    message: string,
    readonly logTail: string,
  ) {
    super(`${message}\n--- last lines of the Temporal dev server log ---\n${logTail || '(empty)'}`);
    this.name = 'DevServerStartError';
  }
}

const STOP_GRACE_MS = 10_000;
const TAIL_LINES = 30;

export async function startDevServer(options: DevServerOptions): Promise<DevServerHandle> {
  const portsChosenHere = options.port === undefined && typeof options.uiPort !== 'number';
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      // A port found free may be taken before the server binds it; pick others and try again.
      const raced = err instanceof DevServerStartError && /address already in use/i.test(err.logTail);
      if (!(raced && portsChosenHere && attempt < 3)) throw err;
    }
  }
}

async function startOnce(options: DevServerOptions): Promise<DevServerHandle> {
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const [freeGrpc, freeUi] = await freePorts(2, ip);
  const port = options.port ?? (freeGrpc as number);
  const uiPort = options.uiPort === false ? undefined : (options.uiPort ?? (freeUi as number));
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port)];
  if (uiPort === undefined) args.push('--headless');
  else {
    args.push('--ui-port', String(uiPort), '--ui-ip', options.uiIp ?? '127.0.0.1', '--ui-disable-news-fetch');
    if (options.uiPublicPath) args.push('--ui-public-path', options.uiPublicPath);
  }
  if (options.httpPort !== undefined) args.push('--http-port', String(options.httpPort));
  if (options.dbFile) {
    mkdirSync(dirname(resolve(options.dbFile)), { recursive: true });
    args.push('--db-filename', resolve(options.dbFile));
  }
  if (namespace !== 'default') args.push('--namespace', namespace);
  for (const extra of options.extraNamespaces ?? []) args.push('--namespace', extra);
  for (const [name, type] of Object.entries(options.searchAttributes ?? {}))
    args.push('--search-attribute', `${name}=${type}`);
  if (options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  if (options.logLevel) args.push('--log-level', options.logLevel);
  for (const [key, value] of Object.entries({ ...deploymentBlobLimits(), ...options.dynamicConfig })) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }

  const output = openOutput(options.logFile);
  let child: ChildProcess;
  try {
    child = spawn(options.cliPath, args, {
      stdio: ['ignore', output.stdio, output.stdio],
      env: options.env ?? process.env,
    });
  } finally {
    output.afterSpawn();
  }
  if (output.stdio === 'pipe') {
    child.stdout?.on('data', output.collect);
    child.stderr?.on('data', output.collect);
  }

  const exited = new Promise<ExitInfo>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
    child.once('error', (error) => resolveExit({ code: null, signal: null, error }));
  });
  // A server left running by a crashed parent would hold its ports and SQLite file.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        child.kill('SIGTERM');
        const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(force);
      }
    })());

  const connectHost = formatHost(ip === '0.0.0.0' ? '127.0.0.1' : ip === '::' ? '::1' : ip);
  const address = `${connectHost}:${port}`;
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const polling = new AbortController();
  const outcome = await Promise.race([
    waitUntilServing(address, namespace, timeoutMs, polling.signal).then((lastError) => ({
      kind: 'ready' as const,
      lastError,
    })),
    exited.then((info) => ({ kind: 'exited' as const, info })),
  ]);
  polling.abort();
  if (outcome.kind === 'ready' && outcome.lastError === undefined && child.pid !== undefined) {
    return {
      address,
      uiUrl:
        uiPort === undefined
          ? undefined
          : `http://${formatHost(options.uiIp ?? '127.0.0.1')}:${uiPort}${options.uiPublicPath ?? ''}`,
      namespace,
      pid: child.pid,
      exited,
      stop,
    };
  }
  await stop();
  const command = `${options.cliPath} ${args.join(' ')}`;
  if (outcome.kind === 'exited' && outcome.info.error) {
    throw new DevServerStartError(`Cannot run ${command}: ${outcome.info.error.message}`, output.tail());
  }
  if (outcome.kind === 'exited') {
    const how = outcome.info.signal ? `signal ${outcome.info.signal}` : `exit code ${outcome.info.code}`;
    throw new DevServerStartError(
      `Temporal dev server exited during start-up (${how}): ${command}`,
      output.tail(),
    );
  }
  throw new DevServerStartError(
    `Temporal dev server did not serve ${address} within ${timeoutMs / 1000} s (last error: ${outcome.lastError}): ${command}`,
    output.tail(),
  );
}

/** Polls until a gRPC round trip and the namespace description succeed; the last error on timeout. */
async function waitUntilServing(
  address: string,
  namespace: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no attempt made';
  while (Date.now() < deadline && !signal.aborted) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: '2s' });
      const conn = connection;
      await conn.withDeadline(Date.now() + 2_000, async () => {
        await conn.workflowService.getSystemInfo({});
        await conn.workflowService.describeNamespace({ namespace });
      });
      return undefined;
    } catch (err) {
      lastError = (err as Error).message;
    } finally {
      await connection?.close().catch(() => undefined);
    }
    await sleep(250);
  }
  return lastError;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

interface Output {
  stdio: 'pipe' | number;
  afterSpawn(): void;
  collect(chunk: Buffer): void;
  tail(): string;
}

/** Server output goes straight to the log file (it survives us), or into a small in-memory ring. */
function openOutput(logFile: string | undefined): Output {
  if (logFile) {
    const file = resolve(logFile);
    mkdirSync(dirname(file), { recursive: true });
    const fd = openSync(file, 'a');
    return {
      stdio: fd,
      afterSpawn: () => closeSync(fd),
      collect: () => undefined,
      tail: () => lastLines(readFileTail(file, 32_768)),
    };
  }
  let buffer = '';
  return {
    stdio: 'pipe',
    afterSpawn: () => undefined,
    collect: (chunk) => {
      buffer = (buffer + chunk.toString('utf8')).slice(-32_768);
    },
    tail: () => lastLines(buffer),
  };
}

function readFileTail(file: string, bytes: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, bytes);
    const chunk = Buffer.alloc(length);
    readSync(fd, chunk, 0, length, size - length);
    return chunk.toString('utf8');
  } catch (err) {
    return `(cannot read ${file}: ${(err as Error).message})`;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function lastLines(text: string): string {
  return text.trimEnd().split('\n').slice(-TAIL_LINES).join('\n');
}

const indexedValueType: Record<SearchAttributeType, number> = {
  Text: 1,
  Keyword: 2,
  Int: 3,
  Double: 4,
  Bool: 5,
  Datetime: 6,
  KeywordList: 7,
};

/**
 * Registers the search attributes a namespace lacks. A dev server started on an existing
 * database keeps the attributes it was first given, so a newer project version adds its own here.
 */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  attributes: Record<string, SearchAttributeType>,
): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = Object.entries(attributes).filter(([name]) => !known.has(name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, indexedValueType[type]])),
  });
  return missing.map(([name]) => name);
}
