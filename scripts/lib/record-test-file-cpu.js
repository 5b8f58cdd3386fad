/**
 * Preloaded by `npm test` into each test file's process (scripts/lib/test-file-cpu.ts): records the
 * process's CPU time, its reaped children's included, as it exits. Plain JavaScript on purpose: node
 * preloads it into every worker thread a test file starts too (the Temporal SDK's workflow threads),
 * where TypeScript is not loaded; only the main thread records.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { isMainThread } from 'node:worker_threads';

const dir = process.env.JINCAI_TEST_CPU_DIR;
if (dir && isMainThread) {
  process.once('exit', () => {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // After the command's closing parenthesis: utime, stime, cutime, cstime are the 12th to 15th,
    // in USER_HZ, which Linux fixes at 100 for what /proc reports.
    const ticks = stat
      .slice(stat.lastIndexOf(') ') + 2)
      .split(' ')
      .slice(11, 15)
      .map(Number);
    const cpuSeconds = ticks.reduce((sum, t) => sum + t, 0) / 100;
    const file = process.argv[1];
    if (file) writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify({ file, cpuSeconds }));
  });
}
