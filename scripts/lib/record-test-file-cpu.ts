/**
 * Preloaded by `npm test` into each test file's process (scripts/lib/test-file-cpu.ts): records the
 * process's CPU time, its children's included, as it exits.
 */
import { testFileCpuEnv, writeTestFileCpu } from './test-file-cpu.ts';

const dir = process.env[testFileCpuEnv];
if (dir) process.once('exit', () => writeTestFileCpu(dir));
