/**
 * Appends text to a file: `append` buffers, `flush` writes with backpressure and says how many
 * bytes the file holds — for the difference file and the engine's line files.
 */
import { once } from 'node:events';
import { createWriteStream, truncateSync } from 'node:fs';
import { normalizedLine } from '../../domain/reconciliation/normalized.ts';
import type { StatementLine } from '../../domain/reconciliation/statement.ts';

export interface TextFileWriter {
  append(text: string): void;
  /** Writes what is buffered; returns the file's length so far. */
  flush(): Promise<number>;
  close(): Promise<number>;
}

/** Opens `path` for writing after its first `keep` bytes (0: a new file). */
export function textFileWriter(path: string, keep = 0): TextFileWriter {
  if (keep > 0) truncateSync(path, keep);
  const stream = createWriteStream(path, keep > 0 ? { flags: 'r+', start: keep } : { flags: 'w' });
  let pending: string[] = [];
  let written = keep;
  const flush = async () => {
    if (pending.length === 0) return written;
    const bytes = Buffer.from(pending.join(''), 'utf8');
    pending = [];
    written += bytes.length;
    await new Promise<void>((resolve, reject) =>
      stream.write(bytes, (err) => (err ? reject(err) : resolve())),
    );
    return written;
  };
  return {
    append: (text) => void pending.push(text),
    flush,
    async close() {
      await flush();
      stream.end();
      await once(stream, 'finish');
      return written;
    },
  };
}

/** Writes lines as the engine's normalized line file (the finance side's extract, a sorted run). */
export async function writeLineFile(
  path: string,
  lines: Iterable<StatementLine> | AsyncIterable<StatementLine>,
) {
  const writer = textFileWriter(path);
  let buffered = 0;
  for await (const l of lines) {
    writer.append(normalizedLine(l));
    if (++buffered === 10_000) {
      buffered = 0;
      await writer.flush();
    }
  }
  return writer.close();
}
