/**
 * MqAdminPort over the `runmqsc` control command: spawns `<command> <qmgr>` (the site's
 * `mq.runmqsc.command`, which may carry options such as `-c` or `-u user`), writes one MQSC
 * command to stdin, closes it and parses stdout. runmqsc prints no reason codes, so codes are
 * derived from the AMQ messages (see mqsc-text.ts) and its exit code: 0 all commands
 * processed, 10 some failed, 20 an error stopped it.
 */
import { spawn } from 'node:child_process';
import type { MqAdminPort, MqscObjectResponse, MqscResult } from './port.ts';
import { MqUnreachableError } from './port.ts';
import { MqConfigError } from './errors.ts';
import { MQCC_FAILED, MQRCCF_COMMAND_FAILED, parseRunmqscOutput, responsesFromBlocks } from './mqsc-text.ts';
import { assertMqName, assertSingleCommand } from './mqsc-names.ts';

export interface RunmqscAdminOptions {
  /** e.g. `runmqsc`, `/opt/mqm/bin/runmqsc -c`. */
  command: string;
  /** Per command; default 60 s. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

interface ProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export class RunmqscAdmin implements MqAdminPort {
  readonly #argv: string[];
  readonly #timeoutMs: number;
  readonly #env: NodeJS.ProcessEnv;

  constructor(options: RunmqscAdminOptions) {
    this.#argv = splitCommandLine(options.command);
    if (this.#argv.length === 0) throw new MqConfigError('mq.runmqsc.command is empty');
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#env = options.env ?? process.env;
  }

  async runMqsc(qmgr: string, command: string): Promise<MqscResult> {
    assertMqName('qmgr', qmgr);
    const text = assertSingleCommand(command);
    const outcome = await this.#run(qmgr, text);
    const transcript = parseRunmqscOutput(outcome.stdout);
    const responses = responsesFromBlocks(transcript.blocks);

    if (responses.some((r) => r.messageIds.some((id) => id.startsWith('AMQ8146')))) {
      throw new MqUnreachableError(qmgr, `queue manager ${qmgr} is not available (runmqsc: AMQ8146E)`);
    }
    if (outcome.exitCode === null || ![0, 10, 20].includes(outcome.exitCode)) {
      throw new MqUnreachableError(
        qmgr,
        `runmqsc ended abnormally (${outcome.signal ?? `exit ${outcome.exitCode}`}): ${outcome.stderr.trim()}`,
      );
    }
    if (outcome.exitCode !== 0 && !responses.some((r) => r.completionCode >= MQCC_FAILED)) {
      responses.push(failureFromStderr(outcome));
    }
    const failed = responses.find((r) => r.completionCode >= MQCC_FAILED);
    return {
      qmgr,
      command: text,
      overallCompletionCode:
        outcome.exitCode === 0 ? Math.max(0, ...responses.map((r) => r.completionCode)) : MQCC_FAILED,
      overallReasonCode: failed ? failed.reasonCode : 0,
      responses,
    };
  }

  #run(qmgr: string, command: string): Promise<ProcessOutcome> {
    const [file, ...args] = this.#argv as [string, ...string[]];
    return new Promise((resolve, reject) => {
      const child = spawn(file, [...args, qmgr], { env: this.#env, stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        child.kill('SIGKILL');
        reject(new MqUnreachableError(qmgr, `runmqsc did not answer within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      child.on('error', (e: NodeJS.ErrnoException) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(
          e.code === 'ENOENT' || e.code === 'EACCES'
            ? new MqConfigError(`Cannot run ${file} (mq.runmqsc.command): ${e.code}`, { cause: e })
            : new MqUnreachableError(qmgr, `runmqsc could not be started: ${e.message}`, { cause: e }),
        );
      });
      child.on('close', (exitCode, signal) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({
          exitCode,
          signal,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
      });
      // runmqsc may exit before reading stdin (e.g. unknown queue manager); that is not our error.
      child.stdin.on('error', () => undefined);
      child.stdin.end(`${command}\n`);
    });
  }
}

function failureFromStderr(outcome: ProcessOutcome): MqscObjectResponse {
  const text = outcome.stderr.split(/\r?\n/).filter((l) => /\S/.test(l));
  return {
    completionCode: MQCC_FAILED,
    reasonCode: MQRCCF_COMMAND_FAILED,
    text: text.length ? text : [`runmqsc exit code ${outcome.exitCode}`],
    attributes: {},
    messageIds: [],
  };
}

/** Splits a command line on blanks, honouring single and double quotes; no shell is involved. */
export function splitCommandLine(line: string): string[] {
  const argv: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  let inToken = false;
  for (const c of line) {
    if (quote) {
      if (c === quote) quote = undefined;
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inToken = true;
    } else if (/\s/.test(c)) {
      if (inToken) argv.push(current);
      current = '';
      inToken = false;
    } else {
      current += c;
      inToken = true;
    }
  }
  if (quote) throw new MqConfigError(`Unbalanced quote in mq.runmqsc.command: ${line}`);
  if (inToken) argv.push(current);
  return argv;
}
