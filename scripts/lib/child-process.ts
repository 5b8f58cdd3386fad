/**
 * Starts a project process (sandbox, worker) as a child running TypeScript through tsx, with
 * its output in a log file, and waits until it says it is ready.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { projectRoot } from '../../temporal.config.ts';

export interface ProjectProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

export async function startProjectProcess(options: {
  name: string;
  script: string;
  args?: string[];
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** Resolves when the process is ready; rejects on timeout. */
  ready: (child: ChildProcess, output: () => string) => Promise<void>;
}): Promise<ProjectProcess> {
  await mkdir(dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', options.script, ...(options.args ?? [])], {
    cwd: projectRoot,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let recent = '';
  const collect = (chunk: Buffer) => {
    log.write(chunk);
    recent = (recent + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    log.end();
  };
  try {
    await Promise.race([
      options.ready(child, () => recent),
      exited.then(() => {
        throw new Error(
          `${options.name} exited during start-up (log: ${options.logFile}):\n${recent.slice(-3000)}`,
        );
      }),
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { name: options.name, child, logFile: options.logFile, stop };
}

/** Ready when the output contains `marker`. */
export function whenOutputContains(marker: string, timeoutMs = 120_000) {
  return (_child: ChildProcess, output: () => string) =>
    new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const timer = setInterval(() => {
        if (output().includes(marker)) {
          clearInterval(timer);
          resolve();
        } else if (Date.now() - started > timeoutMs) {
          clearInterval(timer);
          reject(new Error(`no "${marker}" within ${timeoutMs / 1000} s:\n${output().slice(-3000)}`));
        }
      }, 100);
    });
}
