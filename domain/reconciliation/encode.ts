/**
 * Text to bytes in a statement's encoding. GBK goes through iconv-lite (Node's TextEncoder only
 * writes UTF-8); names repeat across a day's lines, so their bytes are cached.
 */
import iconv from 'iconv-lite';
import type { StatementEncoding } from './format.ts';

export type Encoder = (text: string) => Buffer;

export function encoderFor(encoding: StatementEncoding): Encoder {
  if (encoding === 'UTF-8') return (text) => Buffer.from(text, 'utf8');
  const cache = new Map<string, Buffer>();
  return (text) => {
    // ASCII is the same in GBK: only text with other characters needs the codec.
    if (isAscii(text)) return Buffer.from(text, 'latin1');
    const cached = cache.get(text);
    if (cached) return cached;
    const bytes = iconv.encode(text, 'gbk');
    if (text.length <= 64 && cache.size < 10_000) cache.set(text, bytes);
    return bytes;
  };
}

/** Whether every character is ASCII (the same bytes in GBK and UTF-8). */
export function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
