/**
 * Free TCP ports for local servers (the Temporal dev server, its UI, test servers, metrics
 * endpoints). A port found here is free at the time of the check only; callers that spawn a server
 * on it should be ready to retry with another one.
 *
 * Ports are picked below the kernel's ephemeral range (`ip_local_port_range`), never from it: every
 * outgoing connection of every process on the machine takes its local port from that range, so a
 * port picked there by `listen(0)` is often taken by somebody's connection before the server binds
 * it. Below the range only servers bind, and each process starts its search at a place of its own
 * (from its pid), so test files running at once do not pick the same ports.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';

/** The lowest port this module hands out (above the well-known and registered service ports in use here). */
const floor = 20000;
/** Ports between two processes' starting places, so that a file's few dozen ports stay its own. */
const stride = 199;

function listen(port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The first port of the kernel's ephemeral range (Linux's default when it cannot be read). */
function ephemeralLowerBound(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const port = Number(low);
    return Number.isInteger(port) && port > floor ? port : 32768;
  } catch {
    return 32768;
  }
}

const ceiling = ephemeralLowerBound();
const span = ceiling - floor;
/** The next port to try: where this process's search stands, advanced past every port handed out. */
let cursor = (process.pid * stride) % span;

function nextCandidate(): number {
  const port = floor + cursor;
  cursor = (cursor + 1) % span;
  return port;
}

/** A port free on `host` now, below the ephemeral range, not handed out before by this process. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [port] = await freePorts(1, host);
  return port as number;
}

/** `count` distinct free ports, below the ephemeral range, none handed out before by this process. */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports: number[] = [];
  for (let tried = 0; ports.length < count; tried++) {
    if (tried >= span)
      throw new Error(`no ${count} free ports on ${host} between ${floor} and ${ceiling - 1}`);
    const port = nextCandidate();
    if (await isPortFree(port, host)) ports.push(port);
  }
  return ports;
}

/** Whether this process could listen on `port` at `host` now (in use or privileged = not free). */
export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  try {
    await close(await listen(port, host));
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') return false;
    throw err;
  }
}
