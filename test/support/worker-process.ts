/**
 * A worker as a real child process, for tests that must kill it with -9 or start it as an
 * operator would: workers/main.ts (compiled in the test run's build, else through tsx), or a
 * compiled entry point (`.js`) given, with plain node.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { projectRoot } from '../../temporal.config.ts';
import { entryPointArgs } from './test-build.ts';

export function startWorkerProcess(
  env: NodeJS.ProcessEnv,
  options: {
    entry?: string;
    args?: string[];
    /** Node's own options before the entry point (heap sizes, as a systemd unit gives them). */
    nodeOptions?: string[];
    /** Everything the worker prints, from its first line. */
    onOutput?: (chunk: string) => void;
  } = {},
): Promise<ChildProcess> {
  const entry = options.entry ? [options.entry] : entryPointArgs('workers/main.ts');
  const argv = [...(options.nodeOptions ?? []), ...entry, ...(options.args ?? [])];
  const child = spawn(process.execPath, argv, {
    cwd: projectRoot,
    env: { ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    // What it printed until it runs: kept for the error if it exits first, then no longer.
    let out: string | undefined = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      options.onOutput?.(text);
      if (out === undefined) return;
      out += text;
      if (out.includes('worker running')) {
        out = undefined;
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited early (${code}):\n${out}`)));
  });
}
