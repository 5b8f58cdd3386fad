/**
 * Checks command lines of the project's entry points with --check-args in one process
 * (check-args-host.ts) instead of a process per line: each line's entry point evaluated afresh
 * with its arguments, as its own process would run it — compiled when the test run's build holds
 * it (test-build.ts), else through tsx.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { projectRoot } from '../../temporal.config.ts';
import type { CheckAnswer, CheckRequest } from './check-args-host.ts';
import { entryPointArgs } from './test-build.ts';

export interface CheckArgsLines {
  /** The answer of `entryPoint` (a TypeScript file of the project) to `args` with --check-args. */
  check(entryPoint: string, args: string[], env?: Record<string, string>): Promise<CheckAnswer>;
  close(): Promise<void>;
}

/** Starts the host with exactly `env` (as each line's own process would have it, plus the line's own). */
export function checkArgsLines(env: NodeJS.ProcessEnv): CheckArgsLines {
  const host = spawn(process.execPath, entryPointArgs('test/support/check-args-host.ts'), {
    cwd: projectRoot,
    env,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const answers = createInterface({ input: host.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<void>((resolve) => host.once('exit', () => resolve()));
  let queue: Promise<unknown> = Promise.resolve();
  return {
    check(entryPoint, args, lineEnv = {}) {
      const request: CheckRequest = {
        nodeArgs: entryPointArgs(entryPoint),
        args: [...args, '--check-args'],
        env: lineEnv,
      };
      // One line at a time: a line has the host's argv, environment and output to itself.
      const answer = queue.then(async () => {
        host.stdin.write(`${JSON.stringify(request)}\n`);
        const next = await answers.next();
        if (next.done) throw new Error(`the check-args host ended (exit ${String(host.exitCode)})`);
        return JSON.parse(next.value) as CheckAnswer;
      });
      queue = answer.catch(() => undefined);
      return answer;
    },
    async close() {
      host.stdin.end();
      await exited;
    },
  };
}
