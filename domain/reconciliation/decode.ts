/**
 * Bytes to text in a statement's encoding, strictly. Apart from encode.ts (which loads iconv-lite
 * to write GBK): the comparison's thread reads statements and loads only what reading needs.
 * The readers that scan a chunk's bytes as latin1 text (a byte a character) check the bytes of a
 * field here and decode them only when the field is asked for.
 */
import type { StatementEncoding } from './format.ts';

/** The global TextDecoder (no import of node:util: domain code imports no Node built-ins). */
export type Decoder = InstanceType<typeof TextDecoder>;

/** A strict decoder: broken bytes throw rather than turn into U+FFFD. */
export function strictDecoder(encoding: StatementEncoding): Decoder {
  return new TextDecoder(encoding === 'GBK' ? 'gbk' : 'utf-8', { fatal: true });
}

/**
 * A strict decoder for a piece cut from the middle of a text: a byte-order mark there is a
 * character (U+FEFF), as it is to a decoder that reads the whole text.
 */
export function pieceDecoder(encoding: StatementEncoding): Decoder {
  return new TextDecoder(encoding === 'GBK' ? 'gbk' : 'utf-8', { fatal: true, ignoreBOM: true });
}

/** Bytes seen as latin1 text (one character a byte) back to bytes and decoded. */
export const decodeLatin1 = (decoder: Decoder, text: string): string =>
  decoder.decode(Buffer.from(text, 'latin1'));

/**
 * Whether the bytes are ASCII and GBK's two-byte characters only (lead 81–FE, trail 40–7E or
 * 80–FE): every such pair decodes (all 23,940 are in the WHATWG gb18030 index), to a character
 * above U+007F that XML allows, so the strict decoder would take them. Anything else (a four-byte
 * sequence, a lone lead byte, 0x80, 0xFF) is for the decoder itself to judge.
 */
export function gbkPairsBetween(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const lead = text.charCodeAt(i);
    if (lead < 0x80) continue;
    if (lead === 0x80 || lead === 0xff || ++i >= to) return false;
    const trail = text.charCodeAt(i);
    if (trail < 0x40 || trail === 0x7f || trail === 0xff) return false;
  }
  return true;
}

/**
 * Whether the bytes are well-formed UTF-8 (what the strict decoder takes: no overlong form, no
 * surrogate, nothing above U+10FFFF) and hold neither U+FFFE nor U+FFFF (which XML forbids).
 */
export function utf8Between(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const lead = bytes[i] as number;
    if (lead < 0x80) continue;
    let more: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) more = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      more = 2;
      if (lead === 0xe0) low = 0xa0;
      else if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      more = 3;
      if (lead === 0xf0) low = 0x90;
      else if (lead === 0xf4) high = 0x8f;
    } else return false;
    if (i + more >= to) return false;
    const second = bytes[i + 1] as number;
    if (second < low || second > high) return false;
    for (let k = 2; k <= more; k++) {
      const next = bytes[i + k] as number;
      if (next < 0x80 || next > 0xbf) return false;
    }
    // EF BF BE and EF BF BF: U+FFFE and U+FFFF.
    if (lead === 0xef && second === 0xbf && (bytes[i + 2] as number) >= 0xbe) return false;
    i += more;
  }
  return true;
}
