/**
 * Host adapter for the machine the comm-zone worker runs on: programs by pid file (signal 0
 * tells whether the process lives) or by systemd unit (`systemctl is-active`), and TCP probes.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import type { ProgramConfig } from '../../temporal.config.ts';
import type { HostPort, ProgramStatus, TcpProbe } from './port.ts';

const execFileAsync = promisify(execFile);

export function createLocalHost(): HostPort {
  return { programStatus, probeTcp };
}

async function programStatus(program: ProgramConfig): Promise<ProgramStatus> {
  if ('systemdUnit' in program) return systemdStatus(program.name, program.systemdUnit);
  let text: string;
  try {
    text = await readFile(program.pidFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return { name: program.name, running: false, detail: `pid file ${program.pidFile} is absent` };
    }
    throw err;
  }
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0) {
    return { name: program.name, running: false, detail: `pid file ${program.pidFile} holds no pid` };
  }
  return processAlive(pid)
    ? { name: program.name, running: true, pid, detail: `pid ${pid} is running` }
    : {
        name: program.name,
        running: false,
        pid,
        detail: `pid ${pid} from ${program.pidFile} is not running (stale pid file)`,
      };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function systemdStatus(name: string, unit: string): Promise<ProgramStatus> {
  try {
    const { stdout } = await execFileAsync('systemctl', ['is-active', unit], { timeout: 10_000 });
    return { name, running: stdout.trim() === 'active', detail: `systemd unit ${unit}: ${stdout.trim()}` };
  } catch (err) {
    const e = err as { stdout?: string; code?: string | number };
    if (e.code === 'ENOENT') throw new Error('systemctl is not available on this host', { cause: err });
    return { name, running: false, detail: `systemd unit ${unit}: ${(e.stdout ?? '').trim() || 'unknown'}` };
  }
}

function probeTcp(host: string, port: number, timeoutMs: number): Promise<TcpProbe> {
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
