/**
 * Resident memory and CPU time of a process and everything it started, from /proc (Linux): what a
 * worker or the sandbox costs the machine, not only its main process.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** VmRSS summed over `pid` and its descendants, and VmHWM (the peak) of `pid` itself, in MiB. */
export function treeMemory(pid: number): { rss: number; peak: number; processes: number } {
  let rss = 0;
  let processes = 0;
  for (const queue = [pid]; queue.length > 0;) {
    const next = queue.pop() as number;
    rss += kib(next, 'VmRSS');
    processes += 1;
    queue.push(...childrenOf(next));
  }
  return { rss: rss / 1024, peak: kib(pid, 'VmHWM') / 1024, processes };
}

/** CPU seconds (user and system) used so far by `pid` and its living descendants. */
export function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  for (const queue = [pid]; queue.length > 0;) {
    const next = queue.pop() as number;
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    const fields = (read(`/proc/${next}/stat`) ?? '').split(') ')[1]?.split(' ') ?? [];
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    queue.push(...childrenOf(next));
  }
  return ticks / clockTicksPerSecond;
}

/** USER_HZ, which Linux fixes at 100 for what /proc reports. */
const clockTicksPerSecond = 100;

/** The processes any of `pid`'s threads started (the kernel lists them per thread). */
function childrenOf(pid: number): number[] {
  const tasks = list(`/proc/${pid}/task`);
  return tasks.flatMap((tid) =>
    (read(`/proc/${pid}/task/${tid}/children`) ?? '').split(' ').filter(Boolean).map(Number),
  );
}

function kib(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = read(`/proc/${pid}/status`) ?? '';
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
}

/** A process may end between listing and reading it: then nothing. */
const gone = (err: unknown) => ['ENOENT', 'ESRCH'].includes((err as NodeJS.ErrnoException).code ?? '');

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if (gone(err)) return undefined;
    throw err;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    if (gone(err)) return [];
    throw err;
  }
}
