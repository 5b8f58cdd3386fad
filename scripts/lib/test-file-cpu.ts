/**
 * The CPU time each test file costs the machine — user and system time of the file's process and of
 * every process it started and waited for (the workers it kills and starts again, the command lines
 * it runs, the send/receive programs): unlike wall time, other work on a shared machine hardly moves
 * it. `npm test` preloads record-test-file-cpu.js into each file's process, which writes the figure
 * into the run's folder as the process exits; the run reads them all at its end.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const testFileCpuEnv = 'JINCAI_TEST_CPU_DIR';

/** The preload, for node's `--import` in each test file's process; it reads this variable. */
export const recordTestFileCpu = new URL('./record-test-file-cpu.js', import.meta.url).href;

/** USER_HZ, which Linux fixes at 100 for what /proc reports. */
const clockTicksPerSecond = 100;

/**
 * CPU seconds of a process from /proc (Linux): its own, and with `reaped` those of the children it
 * has waited for (which hold their own reaped children's). Undefined when there is no such process.
 */
export function processCpuSeconds(pid: number | 'self', reaped = false): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // After the command's closing parenthesis: utime, stime, cutime, cstime are the 12th to 15th.
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  const ticks = fields.slice(11, reaped ? 15 : 13).map(Number);
  return ticks.reduce((sum, t) => sum + t, 0) / clockTicksPerSecond;
}

/** What the files of a run wrote: CPU seconds by the file's path. */
export function readTestFileCpu(dir: string): Map<string, number> {
  return new Map(
    readdirSync(dir).map((name) => {
      const { file, cpuSeconds } = JSON.parse(readFileSync(join(dir, name), 'utf8')) as {
        file: string;
        cpuSeconds: number;
      };
      return [file, cpuSeconds];
    }),
  );
}
