/**
 * The worker's own machine as a host: each allowed command runs as an argument vector with
 * `execFile` (no shell), and TCP endpoints and health URLs are probed from here.
 */
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import type { HostCommand } from '../../domain/host-commands.ts';
import type { CommandResult, CommandRunner } from './command-host.ts';
import type { HealthProbe, TcpProbe } from './port.ts';

export function createLocalRunner(): CommandRunner {
  return {
    run(command: HostCommand, timeoutMs: number): Promise<CommandResult> {
      const [file, ...args] = command.argv;
      return new Promise((resolve, reject) => {
        execFile(
          file as string,
          args,
          { cwd: command.cwd, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' },
          (err, stdout, stderr) => {
            const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
            if (e && typeof e.code === 'string') {
              reject(new Error(`cannot run ${file}: ${e.code}`, { cause: err }));
              return;
            }
            resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout, stderr });
          },
        );
      });
    },
    close: async () => {},
  };
}

export function probeTcp(host: string, port: number, timeoutMs: number): Promise<TcpProbe> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (probe: TcpProbe) => {
      socket.destroy();
      resolve(probe);
    };
    socket.setTimeout(timeoutMs, () =>
      finish({ host, port, reachable: false, error: `no answer within ${timeoutMs} ms` }),
    );
    socket.once('connect', () =>
      finish({ host, port, reachable: true, latencyMs: Math.round(performance.now() - started) }),
    );
    socket.once('error', (err: NodeJS.ErrnoException) =>
      finish({ host, port, reachable: false, error: err.code ?? err.message }),
    );
  });
}

/** GET a health URL; a JSON answer is kept as `body`. */
export async function probeHealth(url: string, timeoutMs: number): Promise<HealthProbe> {
  const started = performance.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return {
      url,
      status: res.status,
      ok: res.ok,
      latencyMs: Math.round(performance.now() - started),
      ...(body !== undefined && { body }),
    };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return { url, ok: false, error: cause?.code ?? (err as Error).message };
  }
}
