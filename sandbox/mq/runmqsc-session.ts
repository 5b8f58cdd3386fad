/**
 * What `runmqsc QMGR` does with its standard input, independent of how commands reach the queue
 * manager: split the text into MQSC commands (comments, `+`/`-` continuations), echo each one
 * numbered, print the queue manager's response, and close with runmqsc's counts and exit code
 * (0 all processed, 10 some failed or had a syntax error, 20 the queue manager was not reachable).
 */
import { amq, syntaxErrorIds } from './messages.ts';

export interface CommandReply {
  overallCompletionCode: number;
  commandResponse: Array<{ completionCode: number; reasonCode: number; text?: string[] }>;
}

export type SendCommand = (command: string) => Promise<CommandReply>;

export class QmgrUnavailableError extends Error {
  constructor(
    readonly kind: 'not-exist' | 'not-available',
    message: string,
  ) {
    super(message);
    this.name = 'QmgrUnavailableError';
  }
}

export const copyrightLine = '5724-H72 (C) Copyright IBM Corp. 1994, 2024.';

/** Splits runmqsc input into commands: `*` comments, blank lines, `+` and `-` continuations. */
export function splitCommands(input: string): string[] {
  const commands: string[] = [];
  let current = '';
  // '+' continues after the next line's leading blanks; '-' keeps them.
  let continuing: '+' | '-' | undefined;
  for (const raw of input.split(/\r?\n/)) {
    const line = raw.replace(/\s+$/, '');
    if (!continuing && (line.trim() === '' || line.trimStart().startsWith('*'))) continue;
    const piece = continuing === '-' ? line : line.trimStart();
    if (line.endsWith('+') || line.endsWith('-')) {
      current += piece.slice(0, -1);
      continuing = line.endsWith('+') ? '+' : '-';
    } else {
      current += piece;
      continuing = undefined;
      commands.push(current.trim());
      current = '';
    }
  }
  if (continuing && current.trim()) commands.push(current.trim());
  return commands.filter((c) => c !== '' && c.toUpperCase() !== 'END');
}

export async function runSession(
  qmgr: string,
  input: string,
  send: SendCommand,
  write: (line: string) => void,
): Promise<number> {
  write(copyrightLine);
  const commands = splitCommands(input);
  let syntaxErrors = 0;
  let failed = 0;
  let started = false;
  for (const [index, command] of commands.entries()) {
    let reply: CommandReply;
    try {
      reply = await send(command);
    } catch (err) {
      if (err instanceof QmgrUnavailableError) {
        write(err.kind === 'not-exist' ? amq.qmgrNotExist : amq.qmgrNotAvailable);
        return 20;
      }
      throw err;
    }
    if (!started) {
      write(`Starting MQSC for queue manager ${qmgr}.`);
      write('');
      write('');
      started = true;
    }
    write(`${String(index + 1).padStart(6)} : ${command}`);
    const lines = reply.commandResponse.flatMap((r) => r.text ?? []);
    for (const line of lines) write(line);
    if (lines.some((l) => syntaxErrorIds.has(l.slice(0, 8)))) syntaxErrors++;
    else if (reply.overallCompletionCode !== 0) failed++;
  }
  if (!started) {
    write(`Starting MQSC for queue manager ${qmgr}.`);
    write('');
    write('');
  }
  const n = commands.length;
  write(n === 0 ? 'No MQSC commands read.' : n === 1 ? 'One MQSC command read.' : `${n} MQSC commands read.`);
  write(
    syntaxErrors === 0
      ? 'No commands have a syntax error.'
      : syntaxErrors === 1
        ? 'One command has a syntax error.'
        : `${syntaxErrors} commands have a syntax error.`,
  );
  write(
    failed === 0
      ? 'All valid MQSC commands were processed.'
      : failed === 1
        ? 'One valid MQSC command could not be processed.'
        : `${failed} valid MQSC commands could not be processed.`,
  );
  return syntaxErrors + failed > 0 ? 10 : 0;
}

/** Sends each command to mqweb's runCommand resource, as the CLI does. */
export function mqwebSender(opts: {
  baseUrl: string;
  user: string;
  password: string;
  qmgr: string;
}): SendCommand {
  const url = `${opts.baseUrl.replace(/\/$/, '')}/ibmmq/rest/v2/admin/action/qmgr/${encodeURIComponent(opts.qmgr)}/mqsc`;
  const auth = `Basic ${Buffer.from(`${opts.user}:${opts.password}`).toString('base64')}`;
  return async (command) => {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          Authorization: auth,
          'Content-Type': 'application/json',
          'ibm-mq-rest-csrf-token': 'runmqsc',
        },
        body: JSON.stringify({ type: 'runCommand', parameters: { command } }),
      });
    } catch (err) {
      throw new QmgrUnavailableError('not-available', `cannot reach ${url}: ${(err as Error).message}`);
    }
    if (res.status === 404)
      throw new QmgrUnavailableError('not-exist', `queue manager ${opts.qmgr} not found`);
    if (res.status === 401 || res.status === 403) {
      throw new QmgrUnavailableError('not-available', `mqweb refused the credentials (HTTP ${res.status})`);
    }
    if (!res.ok) throw new Error(`mqweb answered HTTP ${res.status}: ${await res.text()}`);
    return (await res.json()) as CommandReply;
  };
}
