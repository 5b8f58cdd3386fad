/**
 * `npm run check`: the type check (tsc), the linter (eslint) and the formatting check (prettier),
 * each in a process of its own and all three at once — each is one thread, so on two cores they end
 * in about half the time they take one after another — each one's output printed whole once it has
 * ended. Exit 0 when all three pass, else 1, naming those that failed.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../temporal.config.ts';
import { argumentsOk, commandLine } from './lib/check-args.ts';

const checks = [
  { name: 'tsc', args: ['--noEmit'] },
  { name: 'eslint', args: ['.'] },
  { name: 'prettier', args: ['--check', '--log-level', 'warn', '.'] },
];

const { args, checkOnly } = commandLine();
if (args.length > 0) {
  console.error(`check takes no arguments, got ${args.join(' ')}`);
  process.exit(2);
}
if (checkOnly) {
  console.log(argumentsOk(`run ${checks.map((c) => c.name).join(', ')}`));
  process.exit(0);
}

function run(check: (typeof checks)[number]): Promise<{ name: string; code: number; output: string }> {
  const child = spawn(join(projectRoot, 'node_modules', '.bin', check.name), check.args, {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  return new Promise((resolve) => {
    child.once('error', (err) => resolve({ name: check.name, code: 1, output: `${err.message}\n` }));
    child.once('close', (code, signal) =>
      resolve({
        name: check.name,
        code: code ?? 1,
        output: signal ? `${output}killed by ${signal}\n` : output,
      }),
    );
  });
}

const failed: string[] = [];
await Promise.all(
  checks.map(async (check) => {
    const result = await run(check);
    if (result.output) process.stdout.write(`── ${result.name}\n${result.output}`);
    if (result.code !== 0) failed.push(result.name);
  }),
);
if (failed.length > 0) console.error(`Failed: ${failed.join(', ')}`);
process.exit(failed.length > 0 ? 1 : 0);
