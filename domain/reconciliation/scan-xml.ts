/**
 * A fast reader for XML statement packages of the spec's flat, fixed shape — the prolog, `<MOF>`,
 * the head's known elements, then `<Detail>` after `<Detail>` of known elements with plain text —
 * over the decoded text with indexOf, without a SAX parser's events and objects. Anything else
 * (comments, CDATA, entities, attributes, unknown elements, a line the parser would refuse, bytes
 * that do not decode, a package cut short) is not judged here: the reader stops with `Unusual`
 * and the package is read again by the conformant parser (parse-xml.ts), which accepts or names
 * the fault exactly as it always has. What it accepts, it reads to the same lines and head.
 */
import type { Decoder } from './decode.ts';
import { strictDecoder } from './decode.ts';
import type { StatementEncoding } from './format.ts';
import type { LineField, StatementKind, StatementLine } from './statement.ts';
import { lineFields } from './statement.ts';
import { detailElements, headElements, xml } from './xml-names.ts';

/** The package is not of the plain shape this reader takes: read it with the conformant parser. */
export class Unusual extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'Unusual';
  }
}

export type HeadValues = Partial<Record<keyof typeof headElements, string>>;
export type DetailValues = Partial<Record<LineField, string>>;

export interface ScanOptions {
  kind: StatementKind;
  /** The encoding the package's first chunk declares (or a refusal, as the parser would refuse it). */
  encodingOf(first: Uint8Array): StatementEncoding;
  /** The detail's line from its values; throws for a line the conformant parser refuses too. */
  line(values: DetailValues, lineNo: number): StatementLine;
  firstLineNo: number;
}

/** What an XML text may hold that this reader leaves to the parser: markup it skips, entities, CR, characters XML forbids. */
// eslint-disable-next-line no-control-regex -- the control characters XML forbids are what it looks for
const unusualText = /[&\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|<[!?]|\]\]>/;
const detailOpen = `<${xml.detail}>`;
const detailClose = `</${xml.detail}>`;
const bodyOpen = `<${xml.body}>`;
const bodyClose = `</${xml.body}>`;
const rootOpen = `<${xml.root}>`;
const rootClose = `</${xml.root}>`;
const headOpen = `<${xml.head}>`;
const headClose = `</${xml.head}>`;

const headKeyOf = new Map<string, keyof typeof headElements>(
  Object.entries(headElements).map(([k, e]) => [e, k as keyof typeof headElements]),
);

/** Each detail element's field, when the kind has it (undefined: known but not this kind's, so ignored). */
function detailFieldsOf(kind: StatementKind): Map<string, LineField | undefined> {
  const own = new Set<string>(lineFields[kind]);
  return new Map(
    Object.entries(detailElements).map(([f, e]) => [e, own.has(f) ? (f as LineField) : undefined]),
  );
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x09;

function skipSpace(text: string, at: number, end: number): number {
  while (at < end && isSpace(text.charCodeAt(at))) at++;
  return at;
}

/**
 * Reads `<Name>text</Name>` elements between `at` and `end` (whitespace between them) into `set`,
 * where `known` says which names are allowed; anything else is unusual.
 */
function readElements(
  text: string,
  at: number,
  end: number,
  known: ReadonlyMap<string, string | undefined>,
  set: (key: string, value: string) => void,
): void {
  for (at = skipSpace(text, at, end); at < end; at = skipSpace(text, at, end)) {
    if (text.charCodeAt(at) !== 0x3c) throw new Unusual('text between elements');
    const gt = text.indexOf('>', at + 1);
    if (gt < 0 || gt >= end) throw new Unusual('an unclosed tag');
    const name = text.slice(at + 1, gt);
    if (!known.has(name)) throw new Unusual(`element <${name}>`);
    const lt = text.indexOf('<', gt + 1);
    if (lt < 0 || lt >= end || !text.startsWith(name, lt + 2) || text.charCodeAt(lt + 1) !== 0x2f)
      throw new Unusual(`element <${name}> not closed at once`);
    const close = lt + 2 + name.length;
    if (text.charCodeAt(close) !== 0x3e) throw new Unusual(`element <${name}> not closed at once`);
    const key = known.get(name);
    if (key !== undefined) set(key, text.slice(gt + 1, lt).trim());
    at = close + 1;
  }
}

/** Expects `token` after optional whitespace at `at`; returns the position after it. */
function expect(text: string, at: number, token: string): number {
  at = skipSpace(text, at, text.length);
  if (!text.startsWith(token, at)) throw new Unusual(`expected ${token}`);
  return at + token.length;
}

/**
 * Lines of one package in batches (one a chunk), then its head values; throws `Unusual` where the
 * conformant parser must take over.
 */
export async function* scanXmlPackage(
  chunks: AsyncIterable<Uint8Array>,
  options: ScanOptions,
): AsyncGenerator<StatementLine[], HeadValues> {
  const fieldOf = detailFieldsOf(options.kind);
  let decoder: Decoder | undefined;
  const head: HeadValues = {};
  let lineNo = options.firstLineNo - 1;
  let rest = '';
  let state: 'prolog' | 'body' | 'end' = 'prolog';
  let prolog = '';
  let values: DetailValues = {};
  const setField = (key: string, value: string) => {
    values[key as LineField] = value;
  };
  const setHead = (key: string, value: string) => {
    head[key as keyof HeadValues] = value;
  };
  for await (const chunk of chunks) {
    if (!decoder) {
      const encoding = options.encodingOf(chunk);
      decoder = strictDecoder(encoding);
      prolog = `<?xml version="1.0" encoding="${encoding}"?>`;
    }
    let decoded: string;
    try {
      decoded = decoder.decode(chunk, { stream: true });
    } catch {
      throw new Unusual('bytes that do not decode');
    }
    let text = rest + decoded;
    let at = 0;
    if (state === 'prolog') {
      const headEnd = text.indexOf(headClose);
      if (headEnd < 0) {
        rest = text;
        continue;
      }
      if (!text.startsWith(prolog)) throw new Unusual('another prolog');
      if (unusualText.test(text.slice(prolog.length)))
        throw new Unusual('markup or characters left to the parser');
      at = expect(text, prolog.length, rootOpen);
      at = expect(text, at, headOpen);
      readElements(text, at, headEnd, headKeyOf, setHead);
      at = expect(text, headEnd + headClose.length, bodyOpen);
      state = 'body';
      text = text.slice(at);
      at = 0;
    } else if (unusualText.test(text)) throw new Unusual('markup or characters left to the parser');
    const lines: StatementLine[] = [];
    if (state === 'body') {
      for (;;) {
        at = skipSpace(text, at, text.length);
        if (text.startsWith(detailOpen, at)) {
          const close = text.indexOf(detailClose, at);
          if (close < 0) break;
          values = {};
          readElements(text, at + detailOpen.length, close, fieldOf, setField);
          lineNo += 1;
          try {
            lines.push(options.line(values, lineNo));
          } catch {
            throw new Unusual(`detail ${lineNo} refused`);
          }
          at = close + detailClose.length;
        } else if (text.startsWith(bodyClose, at)) {
          const after = skipSpace(text, at + bodyClose.length, text.length);
          // The root's closing may come with the next chunk.
          if (text.length - after < rootClose.length && rootClose.startsWith(text.slice(after))) break;
          at = expect(text, after, rootClose);
          state = 'end';
          break;
        } else if (text.length - at < bodyClose.length) break;
        else throw new Unusual('neither a detail nor the body closing');
      }
    }
    if (state === 'end' && skipSpace(text, at, text.length) < text.length)
      throw new Unusual('text after the root element');
    rest = state === 'end' ? '' : text.slice(at);
    if (lines.length > 0) yield lines;
  }
  try {
    decoder?.decode();
  } catch {
    throw new Unusual('the package ends inside a character');
  }
  if (state !== 'end') throw new Unusual('the package ends early');
  return head;
}
