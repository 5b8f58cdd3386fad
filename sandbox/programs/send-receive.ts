/**
 * The finance side's send/receive program (收发程序) for one agent bank, run as its own OS process:
 * `node --import tsx sandbox/programs/send-receive.ts --bank ICBC`. In rounds it sends the bank's
 * pending vouchers and quota notices and applies what the bank has sent back, a batch at a time
 * through its MQ connection (messaging-client.ts): a round that moved something is followed by the
 * next at once, an idle one waits 300 ms, longer while it stays idle, less when the treasury database
 * or the business clock changes (idle-wait.ts). It writes its pid file at start and removes it on a clean SIGTERM/SIGINT exit; after
 * kill -9 the stale pid file stays, as it does in production.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { openSqlite } from '../../connectors/treasury/database.ts';
import { fileClock } from '../clock.ts';
import { createMessagingClient } from './messaging-client.ts';
import { idleWait } from './idle-wait.ts';
import { programEnv } from './program-env.ts';
import { programRound } from './program-round.ts';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { bank: { type: 'string' } } });
  const bank = values.bank;
  if (!bank || !/^[A-Z][A-Z0-9]{1,11}$/.test(bank)) throw new Error('usage: send-receive.ts --bank <CODE>');
  const pidFile = required(programEnv.pidFile);
  const intervalMs = Number(process.env[programEnv.intervalMs] ?? 300);
  const clockFile = process.env[programEnv.clockFile];
  const clock = clockFile ? fileClock(clockFile) : undefined;
  const now = clock?.now ?? (() => new Date());
  const treasuryDb = required(programEnv.treasuryDb);
  // A simulated program: its commit once a message need not wait for the disk (see openSqlite).
  const db = await openSqlite(treasuryDb, { synchronous: 'NORMAL' });
  const mq = createMessagingClient({
    baseUrl: required(programEnv.url),
    user: required(programEnv.user),
    password: required(programEnv.password),
  });
  const log = (level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}) =>
    process.stderr.write(
      `${JSON.stringify({ level, time: new Date().toISOString(), program: 'send-receive', bank, msg, ...fields })}\n`,
    );
  const ctx = { db, mq, bank, financeQmgr: process.env[programEnv.financeQmgr] ?? 'QM.CZ', now, log };
  const waits = idleWait({
    files: clockFile ? [treasuryDb, clockFile] : [treasuryDb],
    intervalMs,
    longestMs: 4 * intervalMs,
    onError: (err) =>
      log('warn', 'cannot watch the treasury database; idle rounds on the timer only', {
        error: String(err),
      }),
  });

  mkdirSync(dirname(pidFile), { recursive: true });
  writeFileSync(pidFile, `${process.pid}\n`);

  let stopping = false;
  let round: Promise<void> = Promise.resolve();
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void round.finally(async () => {
      waits.close();
      await db.destroy();
      rmSync(pidFile, { force: true });
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  /** One round: how many items it moved (none when it failed, so a failing round is not repeated at once). */
  const oneRound = async (): Promise<number> => {
    waits.roundStarts();
    clock?.look();
    try {
      return await programRound(ctx);
    } catch (err) {
      log('warn', 'round failed', { error: String(err) });
      return 0;
    }
  };
  const loop = async () => {
    while (!stopping) {
      const moved = oneRound();
      round = moved.then(() => undefined);
      // Under load the program keeps up with its queues; only an idle round waits before the next.
      if ((await moved) === 0) await waits.idle();
      else {
        waits.moved();
        await new Promise((r) => setImmediate(r));
      }
    }
  };
  log('info', 'started', { pid: process.pid });
  await loop();
}

main().catch((err: unknown) => {
  process.stderr.write(`send-receive: ${String(err)}\n`);
  process.exit(1);
});
