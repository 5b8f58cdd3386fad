/**
 * Bytes to text in a statement's encoding, strictly. Apart from encode.ts (which loads iconv-lite
 * to write GBK): the comparison's thread reads statements and loads only what reading needs.
 */
import type { StatementEncoding } from './format.ts';

/** The global TextDecoder (no import of node:util: domain code imports no Node built-ins). */
export type Decoder = InstanceType<typeof TextDecoder>;

/** A strict decoder: broken bytes throw rather than turn into U+FFFD. */
export function strictDecoder(encoding: StatementEncoding): Decoder {
  return new TextDecoder(encoding === 'GBK' ? 'gbk' : 'utf-8', { fatal: true });
}
