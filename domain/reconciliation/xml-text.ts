/**
 * An XML element's text as the fast package reader (scan-xml.ts) reads it from a chunk's bytes seen
 * as latin1 (a byte a character): decoded in the package's encoding when it is not ASCII, its
 * references replaced, trimmed — the value the conformant parser gives. What the reader does not
 * take ends it with `Unusual`.
 */
import { decodeLatin1, type Decoder } from './decode.ts';

/** The package is not of the plain shape the fast reader takes: read it with the conformant parser. */
export class Unusual extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'Unusual';
  }
}

/** What a text holds besides ASCII characters XML allows, as flags. */
export const holds = { nonAscii: 1, reference: 2 } as const;

/**
 * The value of a text of latin1 characters (the bytes as they are) holding `flags`; `decoder`
 * decodes the package's encoding. Throws `Unusual` for bytes that do not decode or a reference
 * left to the parser — a text the reader checked (`checkText`) throws neither.
 */
export function elementText(raw: string, flags: number, decoder: Decoder): string {
  let text = raw;
  if (flags & holds.nonAscii) {
    try {
      text = decodeLatin1(decoder, raw);
    } catch {
      throw new Unusual('bytes that do not decode');
    }
    if (forbidden.test(text)) throw new Unusual('a character XML forbids');
  }
  return (flags & holds.reference ? withEntities(text) : text).trim();
}

/** Characters above U+007F that XML forbids (a GBK four-byte sequence may name them). */
const forbidden = /[\ufffe\uffff]/;

const predefined: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Text with XML's five predefined entities and its character references replaced, as the parser
 * replaces them; anything else after `&` (another entity, a reference to a character XML forbids
 * or to CR, which the parser keeps apart from line ends) is left to the parser.
 */
function withEntities(raw: string): string {
  let out = '';
  let from = 0;
  for (let amp = raw.indexOf('&'); amp >= 0; amp = raw.indexOf('&', from)) {
    const semi = raw.indexOf(';', amp + 1);
    if (semi < 0) throw new Unusual('an unterminated reference');
    const ref = raw.slice(amp + 1, semi);
    let char = predefined[ref];
    if (char === undefined) {
      const code = /^#[0-9]{1,7}$/.test(ref)
        ? Number(ref.slice(1))
        : /^#x[0-9a-fA-F]{1,6}$/.test(ref)
          ? Number.parseInt(ref.slice(2), 16)
          : -1;
      if (!isXmlChar(code)) throw new Unusual(`the reference &${ref};`);
      char = String.fromCodePoint(code);
    }
    out += raw.slice(from, amp) + char;
    from = semi + 1;
  }
  return out + raw.slice(from);
}

/** A character XML allows, CR apart. */
const isXmlChar = (c: number) =>
  c === 0x09 ||
  c === 0x0a ||
  (c >= 0x20 && c <= 0xd7ff) ||
  (c >= 0xe000 && c <= 0xfffd) ||
  (c >= 0x10000 && c <= 0x10ffff);
