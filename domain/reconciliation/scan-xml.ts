/**
 * A fast reader for XML statement packages of the spec's flat, fixed shape — the prolog, `<MOF>`,
 * the head's known elements, then `<Detail>` after `<Detail>` of known elements with plain text
 * (the predefined entities and character references decoded) — over the decoded text with indexOf,
 * without a SAX parser's events and objects. Anything else (comments, CDATA, other entities,
 * attributes, unknown elements, a line the parser would refuse, bytes
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
  /** The detail's line from its fields' text in the kind's order (lineFields); throws for a line the conformant parser refuses too. */
  line(cells: readonly string[], lineNo: number): StatementLine;
  firstLineNo: number;
}

/**
 * Characters of an XML text this reader leaves to the parser: CR (the parser normalizes line ends)
 * and the characters XML forbids. Markup it skips (comments, CDATA, processing instructions) cannot
 * pass its reading of elements, which takes `<` only as a known tag; `]]>`, which XML forbids in
 * text, is looked for apart (a character class is scanned several times faster than alternatives).
 */
// eslint-disable-next-line no-control-regex -- the control characters XML forbids are what it looks for
const unusualChars = /[\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/;
const isUnusual = (text: string) => unusualChars.test(text) || text.includes(']]>');
const detailOpen = `<${xml.detail}>`;
const detailClose = `</${xml.detail}>`;
const bodyOpen = `<${xml.body}>`;
const bodyClose = `</${xml.body}>`;
const rootOpen = `<${xml.root}>`;
const rootClose = `</${xml.root}>`;
const headOpen = `<${xml.head}>`;
const headClose = `</${xml.head}>`;

/** Elements a reader takes, in the order a bank writes them, with the key each value goes to. */
interface Known<K> {
  names: string[];
  /** The key of each name (undefined: known but ignored). */
  keys: (K | undefined)[];
  index: ReadonlyMap<string, number>;
}

function known<K>(entries: [name: string, key: K | undefined][]): Known<K> {
  return {
    names: entries.map(([n]) => n),
    keys: entries.map(([, k]) => k),
    index: new Map(entries.map(([n], i) => [n, i])),
  };
}

const headKnown = known(Object.entries(headElements).map(([k, e]) => [e, k as keyof typeof headElements]));

/** Each detail element with its field's place in the kind's order (undefined: known but not this kind's, so ignored). */
function detailKnown(kind: StatementKind): Known<number> {
  const own: readonly string[] = lineFields[kind];
  return known(
    Object.entries(detailElements).map(([f, e]) => [e, own.includes(f) ? own.indexOf(f) : undefined]),
  );
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x09;

function skipSpace(text: string, at: number, end: number): number {
  while (at < end && isSpace(text.charCodeAt(at))) at++;
  return at;
}

/** Whether `token` stands at `at` (String#startsWith with a position is a slow call by comparison). */
function startsAt(text: string, at: number, token: string): boolean {
  for (let i = 0; i < token.length; i++) if (text.charCodeAt(at + i) !== token.charCodeAt(i)) return false;
  return true;
}

/**
 * Reads `<Name>text</Name>` elements from `at` (whitespace between them) into `set` until `end` or
 * a closing tag, where it stops and returns its position; `known` says which names are allowed,
 * anything else is unusual. Each tag is first matched against the name that follows the last one
 * in the writer's order, so a plain record cuts no name.
 */
function readElements<K>(
  text: string,
  at: number,
  end: number,
  known: Known<K>,
  set: (key: K, value: string) => void,
): number {
  let next = 0;
  for (at = skipSpace(text, at, end); at < end; at = skipSpace(text, at, end)) {
    if (text.charCodeAt(at) !== 0x3c) throw new Unusual('text between elements');
    if (text.charCodeAt(at + 1) === 0x2f) return at;
    let gt: number;
    let name = known.names[next];
    if (name !== undefined && startsAt(text, at + 1, name) && text.charCodeAt(at + 1 + name.length) === 0x3e)
      gt = at + 1 + name.length;
    else {
      gt = text.indexOf('>', at + 1);
      if (gt < 0 || gt >= end) throw new Unusual('an unclosed tag');
      name = text.slice(at + 1, gt);
      const i = known.index.get(name);
      if (i === undefined) throw new Unusual(`element <${name}>`);
      next = i;
    }
    const lt = text.indexOf('<', gt + 1);
    if (lt < 0 || lt >= end || text.charCodeAt(lt + 1) !== 0x2f || !startsAt(text, lt + 2, name))
      throw new Unusual(`element <${name}> not closed at once`);
    const close = lt + 2 + name.length;
    if (text.charCodeAt(close) !== 0x3e) throw new Unusual(`element <${name}> not closed at once`);
    const key = known.keys[next];
    if (key !== undefined) {
      const raw = text.slice(gt + 1, lt);
      set(key, (raw.includes('&') ? withEntities(raw) : raw).trim());
    }
    next += 1;
    at = close + 1;
  }
  return at;
}

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
  const fieldOf = detailKnown(options.kind);
  let decoder: Decoder | undefined;
  const head: HeadValues = {};
  let lineNo = options.firstLineNo - 1;
  let rest = '';
  let state: 'prolog' | 'body' | 'end' = 'prolog';
  let prolog = '';
  const cells: string[] = lineFields[options.kind].map(() => '');
  const setCell = (i: number, value: string) => {
    cells[i] = value;
  };
  const setHead = (key: keyof HeadValues, value: string) => {
    head[key] = value;
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
    // Joined rather than concatenated: a concatenation is a rope, read a character at a time through
    // an indirection; a join is one flat string.
    let text = rest.length > 0 ? [rest, decoded].join('') : decoded;
    let at = 0;
    if (state === 'prolog') {
      const headEnd = text.indexOf(headClose);
      if (headEnd < 0) {
        rest = text;
        continue;
      }
      if (!text.startsWith(prolog)) throw new Unusual('another prolog');
      if (isUnusual(text.slice(prolog.length))) throw new Unusual('characters left to the parser');
      at = expect(text, prolog.length, rootOpen);
      at = expect(text, at, headOpen);
      if (readElements(text, at, headEnd, headKnown, setHead) !== headEnd)
        throw new Unusual('a closing tag in the head');
      at = expect(text, headEnd + headClose.length, bodyOpen);
      state = 'body';
      text = text.slice(at);
      at = 0;
    } else if (isUnusual(text)) throw new Unusual('characters left to the parser');
    const lines: StatementLine[] = [];
    if (state === 'body') {
      // A detail that starts before the text's last closing of a detail ends in this text.
      const complete = text.lastIndexOf(detailClose);
      for (;;) {
        at = skipSpace(text, at, text.length);
        if (startsAt(text, at, detailOpen)) {
          if (at >= complete) break;
          cells.fill('');
          const close = readElements(text, at + detailOpen.length, complete, fieldOf, setCell);
          if (!startsAt(text, close, detailClose)) throw new Unusual('a detail not closed at once');
          lineNo += 1;
          try {
            lines.push(options.line(cells, lineNo));
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
