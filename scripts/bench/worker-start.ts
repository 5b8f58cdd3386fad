/**
 * `npm run bench -- worker-start`: how long a worker (all zones) takes from spawn to polling, and
 * its resident memory once idle, from source (tsx, workflows compiled at start) and from the
 * production build (`npm run build`: compiled JavaScript and the prebuilt workflow bundle).
 * Prints figures; asserts nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultPayloadKeysEnv, generatePayloadKeys } from '../../connectors/codec/payload-keys.ts';
import { projectRoot } from '../../temporal.config.ts';
import { makeTestSite } from '../../test/support/site.ts';
import { startWorkerProcess } from '../../test/support/worker-process.ts';
import { projectSearchAttributes, startDevServer } from '../lib/dev-server.ts';
import { ensureTemporalCli } from '../lib/temporal-cli.ts';

const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const idleMs = 5_000;

/** VmRSS and VmHWM (peak) of a process, in MiB. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

export async function runWorkerStartBench(): Promise<number> {
  const production = join(projectRoot, 'dist', 'workers', 'main.js');
  if (!existsSync(production)) {
    console.error('No production build: run `npm run build` first');
    return 2;
  }
  const cliPath = await ensureTemporalCli({ log: (l) => console.log(l) });
  const server = await startDevServer({ cliPath, uiPort: false, searchAttributes: projectSearchAttributes });
  const ts = await makeTestSite({ temporalAddress: server.address });
  const env = { ...ts.env, [defaultPayloadKeysEnv]: generatePayloadKeys('bench') };
  try {
    console.log(`worker start (all zones), ${repeats} runs each, idle memory after ${idleMs / 1000} s`);
    for (const [label, entry] of [
      ['source (tsx, workflows compiled at start)', 'workers/main.ts'],
      ['production (dist/, prebuilt bundle)', production],
    ] as const) {
      const runs: { startMs: number; rss: number; peak: number }[] = [];
      for (let i = 0; i < repeats; i++) {
        const started = performance.now();
        const child = await startWorkerProcess(env, { entry });
        const startMs = performance.now() - started;
        await sleep(idleMs);
        runs.push({ startMs, ...memory(child.pid as number) });
        child.kill('SIGTERM');
        await new Promise((done) => child.once('exit', done));
      }
      const median = (pick: (r: (typeof runs)[number]) => number) =>
        runs.map(pick).sort((a, b) => a - b)[Math.floor(runs.length / 2)] as number;
      console.log(
        `  ${label.padEnd(44)} start ${(median((r) => r.startMs) / 1000).toFixed(1)} s   ` +
          `idle RSS ${median((r) => r.rss).toFixed(0)} MiB   peak RSS ${median((r) => r.peak).toFixed(0)} MiB`,
      );
    }
    return 0;
  } finally {
    await server.stop();
    ts.cleanup();
  }
}
