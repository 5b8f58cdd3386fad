/** Runs the project's command lines as real processes in the project root, their output through pipes. */
import { spawn } from 'node:child_process';
import { projectRoot } from '../../temporal.config.ts';
import { entryPointArgs } from './test-build.ts';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `program` with exactly `env`; resolves when it has ended and its output is read. `onOutput`
 * is told the output so far each time more arrives.
 */
export function runProcess(
  program: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  onOutput?: (stdout: string) => void,
): Promise<CliRun> {
  const child = spawn(program, args, { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    onOutput?.(stdout);
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}

/**
 * Runs a TypeScript entry point of the project (`scripts/runbook.ts`, `sandbox/cli.ts`…): compiled
 * when the test run's build holds it (test-build.ts), else through tsx.
 */
export function runEntryPoint(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  onOutput?: (stdout: string) => void,
): Promise<CliRun> {
  return runProcess(process.execPath, [...entryPointArgs(file), ...args], env, onOutput);
}

/**
 * Runs the operator CLI in a pseudo-terminal, as at an engineer's terminal (util-linux `script`:
 * the CLI sees a TTY on its output); its stdout is what the terminal was sent, escapes included.
 */
export function runCliInTerminal(
  args: string[],
  env: NodeJS.ProcessEnv,
  onOutput?: (stdout: string) => void,
): Promise<CliRun> {
  const quoted = ['node', ...entryPointArgs('scripts/runbook.ts'), ...args].map(
    (a) => `'${a.replace(/'/g, `'\\''`)}'`,
  );
  return runProcess('script', ['-qfec', quoted.join(' '), '/dev/null'], { ...process.env, ...env }, onOutput);
}

/** Runs the operator CLI (`scripts/runbook.ts`) with the test's environment and `env`. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  onOutput?: (stdout: string) => void,
): Promise<CliRun> {
  return runEntryPoint('scripts/runbook.ts', args, { ...process.env, ...env }, onOutput);
}
