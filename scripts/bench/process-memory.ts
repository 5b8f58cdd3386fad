/**
 * Resident memory of a process and everything it started, from /proc (Linux): what a worker
 * costs the machine, not only its main process.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** VmRSS summed over `pid` and its descendants, and VmHWM (the peak) of `pid` itself, in MiB. */
export function treeMemory(pid: number): { rss: number; peak: number; processes: number } {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    // The parent pid follows the command name, which is in parentheses and may hold spaces.
    const ppid = Number(stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid) children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  let rss = 0;
  let processes = 0;
  for (const queue = [pid]; queue.length > 0;) {
    const next = queue.pop() as number;
    rss += kib(next, 'VmRSS');
    processes += 1;
    queue.push(...(children.get(next) ?? []));
  }
  return { rss: rss / 1024, peak: kib(pid, 'VmHWM') / 1024, processes };
}

function kib(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = read(`/proc/${pid}/status`) ?? '';
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
}

/** A process may end between listing and reading it: then undefined. */
function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH')
      return undefined;
    throw err;
  }
}
