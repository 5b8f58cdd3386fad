/**
 * Asks for a secret on the terminal without echoing it (raw mode, read until Enter). Without a
 * terminal there is nobody to ask: callers take the secret from the environment instead.
 */
export interface PromptStreams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stderr: { write(text: string): unknown };
}

export class NoTerminalError extends Error {
  constructor() {
    super('no terminal to ask on');
    this.name = 'NoTerminalError';
  }
}

export class PromptCancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'PromptCancelledError';
  }
}

export function canPrompt({ stdin }: PromptStreams): boolean {
  return !!stdin.isTTY && typeof stdin.setRawMode === 'function';
}

export async function promptHidden(prompt: string, streams: PromptStreams): Promise<string> {
  const { stdin, stderr } = streams;
  if (!canPrompt(streams) || !stdin.setRawMode) throw new NoTerminalError();
  const setRaw = stdin.setRawMode.bind(stdin);
  stderr.write(prompt);
  setRaw(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise<string>((resolve, reject) => {
    let value = '';
    const finish = () => {
      stdin.off('data', onData);
      setRaw(false);
      stdin.pause();
      stderr.write('\n');
    };
    const onData = (chunk: string | Buffer) => {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          finish();
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          finish();
          reject(new PromptCancelledError());
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
