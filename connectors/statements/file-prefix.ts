/** Whether one file begins with every byte of another (a finance extract written again against the one cut). */
import { open } from 'node:fs/promises';

/** How much of each file is compared at a time. */
const chunkBytes = 1 << 20;

/** Whether `path` begins with all of `prefix`'s bytes; a missing file begins with nothing and is no prefix. */
export async function beginsWith(path: string, prefix: string): Promise<boolean> {
  const opened = (p: string) => open(p, 'r').catch(() => undefined);
  const [whole, part] = await Promise.all([opened(path), opened(prefix)]);
  if (!whole || !part) {
    await Promise.all([whole?.close(), part?.close()]);
    return false;
  }
  try {
    const a = Buffer.allocUnsafe(chunkBytes);
    const b = Buffer.allocUnsafe(chunkBytes);
    for (let at = 0; ;) {
      const { bytesRead: n } = await part.read(b, 0, chunkBytes, at);
      if (n === 0) return true;
      const { bytesRead: m } = await whole.read(a, 0, n, at);
      if (m < n || !a.subarray(0, n).equals(b.subarray(0, n))) return false;
      at += n;
    }
  } finally {
    await Promise.all([whole.close(), part.close()]);
  }
}
