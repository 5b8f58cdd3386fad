/**
 * A fast reader for XML statement packages of the spec's flat, fixed shape — the prolog, `<MOF>`,
 * the head's known elements, then `<Detail>` after `<Detail>` of known elements with plain text
 * (the predefined entities and character references decoded) — over each chunk's bytes seen as
 * latin1 text (a byte a character: a one-byte string, cheap to make and to search; tags, numbers,
 * voucher numbers and statuses are ASCII), without a SAX parser's events and objects. A text that
 * is not ASCII is checked in the package's encoding and decoded only where it is needed at once (a
 * key, an amount, a head value); a unit name is decoded when a difference asks for it
 * (xml-line.ts). Anything else (comments, CDATA, other entities, attributes, unknown or repeated
 * elements, a line the parser would refuse, bytes that do not decode, a package cut short) is not
 * judged here: the reader stops with `Unusual` and the package is read again by the conformant
 * parser (parse-xml.ts), which accepts or names the fault exactly as it always has. What it
 * accepts, it reads to the same lines and head.
 */
import { gbkPairsBetween, pieceDecoder, utf8Between, type Decoder } from './decode.ts';
import type { StatementEncoding } from './format.ts';
import {
  amountFields,
  fenOf,
  lineFields,
  lineKey,
  lineStatuses,
  type LineField,
  type LineStatus,
  type StatementKind,
  type StatementLine,
} from './statement.ts';
import { detailTags, XmlLine, type DetailTags } from './xml-line.ts';
import { detailElements, headElements, xml } from './xml-names.ts';
import { elementText, holds, Unusual } from './xml-text.ts';

export type HeadValues = Partial<Record<keyof typeof headElements, string>>;

export interface ScanOptions {
  kind: StatementKind;
  /** The encoding the package's first chunk declares (or a refusal, as the parser would refuse it). */
  encodingOf(first: Uint8Array): StatementEncoding;
  firstLineNo: number;
}

/** A name's or a tag's bytes (ASCII). */
const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const detailOpen = tag(`<${xml.detail}>`);
const detailClose = tag(`</${xml.detail}>`);
const bodyOpen = ascii(`<${xml.body}>`);
const bodyClose = ascii(`</${xml.body}>`);
const rootOpen = ascii(`<${xml.root}>`);
const rootClose = ascii(`</${xml.root}>`);
const headOpen = ascii(`<${xml.head}>`);
const headClose = `</${xml.head}>`;
/** A UTF-8 byte-order mark (the decoder of a whole document drops it). */
const utf8Bom = Uint8Array.of(0xef, 0xbb, 0xbf);

/** Elements a reader takes, in the order a bank writes them, with the key each value goes to. */
interface Known<K> {
  /** Each name's opening and closing tag. */
  opens: Tag[];
  closes: Tag[];
  /** The key of each name (undefined: known but ignored). */
  keys: (K | undefined)[];
  index: ReadonlyMap<string, number>;
}

function known<K>(entries: [name: string, key: K | undefined][]): Known<K> {
  return {
    opens: entries.map(([n]) => tag(`<${n}>`)),
    closes: entries.map(([n]) => tag(`</${n}>`)),
    keys: entries.map(([, k]) => k),
    index: new Map(entries.map(([n], i) => [n, i])),
  };
}

const headKnown = known(Object.entries(headElements).map(([k, e]) => [e, k as keyof typeof headElements]));

/**
 * The detail elements: the kind's fields first, in its order (the i-th is the i-th field), then
 * the other kinds' (known, ignored).
 */
function detailKnown(kind: StatementKind): Known<number> {
  const own: readonly LineField[] = lineFields[kind];
  const others = (Object.keys(detailElements) as LineField[]).filter((f) => !own.includes(f));
  return known([
    ...own.map((f, i): [string, number] => [detailElements[f], i]),
    ...others.map((f): [string, undefined] => [detailElements[f], undefined]),
  ]);
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x09;

function skipSpace(bytes: Uint8Array, at: number, end: number): number {
  while (at < end && isSpace(bytes[at] as number)) at++;
  return at;
}

/** Whether the bytes of `token` stand at `at`. */
function startsAt(bytes: Uint8Array, at: number, token: Uint8Array): boolean {
  if (at + token.length > bytes.length) return false;
  for (let i = 0; i < token.length; i++) if (bytes[at + i] !== token[i]) return false;
  return true;
}

/**
 * A tag's bytes as the little-endian 32-bit words at `offsets` (every fourth byte, the last word
 * ending at the tag's end), compared a word at a time.
 */
interface Tag {
  length: number;
  offsets: number[];
  words: number[];
}

function tag(text: string): Tag {
  const bytes = ascii(text);
  const view = new DataView(bytes.buffer);
  const offsets: number[] = [];
  for (let at = 0; at + 4 < bytes.length; at += 4) offsets.push(at);
  offsets.push(bytes.length - 4);
  return { length: bytes.length, offsets, words: offsets.map((at) => view.getUint32(at, true)) };
}

/** Whether tag `t` stands at `at` of `view`, ending before `end`. */
function tagAt(view: DataView, at: number, t: Tag, end: number): boolean {
  if (at + t.length > end) return false;
  for (let i = 0; i < t.offsets.length; i++)
    if (view.getUint32(at + (t.offsets[i] as number), true) !== t.words[i]) return false;
  return true;
}

/** Expects `token` after optional whitespace at `at`; returns the position after it. */
function expect(bytes: Uint8Array, at: number, token: Uint8Array): number {
  at = skipSpace(bytes, at, bytes.length);
  if (!startsAt(bytes, at, token)) throw new Unusual(`expected ${String.fromCharCode(...token)}`);
  return at + token.length;
}

/**
 * The most bytes carried from one chunk to the next (a head or a detail not closed yet): a package
 * that needs more is not of the plain shape, and carrying it would copy it again with every chunk.
 */
const carriedMost = 1 << 20;

/** A `>` in a text: it may end `]]>`, which XML forbids there. */
const closesBracket = 4;

/**
 * Reads one package's elements over its bytes (and the same bytes as latin1 text, for the values
 * cut from them): after `element`, the element's index among the known names and its text's bounds
 * and what it holds (`holds`).
 */
class Reader {
  index = 0;
  from = 0;
  to = 0;
  flags = 0;
  private readonly decoder: Decoder;
  private readonly detail: Known<number>;
  private readonly tags: DetailTags;
  private readonly nameField: number;
  private readonly amountFields: number[];
  private readonly statusField: number;
  /** Each key field's index among the kind's fields (-1: the kind has none). */
  private readonly keyFields: Record<'voucherNo' | 'detailId' | 'budgetUnit' | 'subject', number>;
  /** The fields' texts in the detail being read: bounds, flags, which were there (a bit a field). */
  private readonly starts: number[];
  private readonly ends: number[];
  private readonly holds: number[];
  private seen = 0;
  private readonly keyParts: Parameters<typeof lineKey>[1] = {
    voucherNo: '',
    detailId: '',
    budgetUnit: '',
    subject: '',
  };
  /** The tags a writer puts before each field's text and after the last: `<Detail><F0>`, `</F0><F1>`, …, `</Fn></Detail>`. */
  private readonly joints: Tag[];
  /** The position after the last detail read. */
  after = 0;

  constructor(
    private readonly kind: StatementKind,
    private readonly encoding: StatementEncoding,
  ) {
    this.decoder = pieceDecoder(encoding);
    this.detail = detailKnown(kind);
    this.tags = detailTags(kind);
    const fields: readonly LineField[] = lineFields[kind];
    this.nameField = fields.indexOf('unitName');
    this.amountFields = amountFields[kind].map((f) => fields.indexOf(f));
    this.statusField = fields.indexOf('status');
    this.keyFields = {
      voucherNo: fields.indexOf('voucherNo'),
      detailId: fields.indexOf('detailId'),
      budgetUnit: fields.indexOf('budgetUnit'),
      subject: fields.indexOf('subject'),
    };
    const names = fields.map((f) => detailElements[f]);
    this.joints = [
      tag(`<${xml.detail}><${names[0]}>`),
      ...names.slice(1).map((n, i) => tag(`</${names[i]}><${n}>`)),
      tag(`</${names[names.length - 1]}></${xml.detail}>`),
    ];
    this.starts = fields.map(() => 0);
    this.ends = fields.map(() => 0);
    this.holds = fields.map(() => 0);
  }

  /**
   * Reads `<Name>text</Name>` at `at` (`next`: the index of the name the writer's order expects
   * there, tried first so a plain record cuts no name); returns the position after it, or -1 at a
   * closing tag.
   */
  element<K>(
    bytes: Uint8Array,
    view: DataView,
    text: string,
    at: number,
    end: number,
    known: Known<K>,
    next: number,
  ): number {
    if (bytes[at] !== 0x3c) throw new Unusual('text between elements');
    if (bytes[at + 1] === 0x2f) return -1;
    let gt: number;
    let index = next;
    const open = known.opens[next];
    if (open !== undefined && tagAt(view, at, open, end)) gt = at + open.length - 1;
    else {
      gt = text.indexOf('>', at + 1);
      if (gt < 0 || gt >= end) throw new Unusual('an unclosed tag');
      const i = known.index.get(text.slice(at + 1, gt));
      if (i === undefined) throw new Unusual(`element <${text.slice(at + 1, gt)}>`);
      index = i;
    }
    const lt = this.text(bytes, text, gt + 1, end);
    const close = known.closes[index] as Tag;
    if (lt >= end || !tagAt(view, lt, close, end)) throw new Unusual('an element not closed at once');
    this.index = index;
    this.from = gt + 1;
    this.to = lt;
    return lt + close.length;
  }

  /**
   * A text from `from` to the next `<` (its position, returned; `end` when there is none); `flags`
   * says what it holds. Throws at a character left to the parser.
   */
  private text(bytes: Uint8Array, text: string, from: number, end: number): number {
    let flags = 0;
    let lt = from;
    for (; lt < end; lt++) {
      const c = bytes[lt] as number;
      if (c >= 0x40) {
        if (c >= 0x80) flags |= holds.nonAscii;
      } else if (c === 0x3c) break;
      else if (c < 0x30) {
        if (c === 0x26) flags |= holds.reference;
        // CR (the parser normalizes line ends) and the control characters XML forbids.
        else if (c < 0x20 && c !== 0x0a && c !== 0x09) throw new Unusual('a character left to the parser');
      } else if (c === 0x3e) flags |= closesBracket;
    }
    if (flags & closesBracket) {
      if (text.slice(from, lt).includes(']]>')) throw new Unusual(']]> in a text');
      flags &= ~closesBracket;
    }
    this.flags = flags;
    return lt;
  }

  /** The head's values, from after `<VouchHead>` to its closing at `end`. */
  head(bytes: Uint8Array, view: DataView, text: string, at: number, end: number): HeadValues {
    const head: HeadValues = {};
    let next = 0;
    for (at = skipSpace(bytes, at, end); at < end; at = skipSpace(bytes, at, end)) {
      const after = this.element(bytes, view, text, at, end, headKnown, next);
      if (after < 0) break;
      const key = headKnown.keys[this.index];
      if (key !== undefined) head[key] = this.value(bytes, text, this.from, this.to, this.flags);
      next = this.index + 1;
      at = after;
    }
    if (at !== end) throw new Unusual('a closing tag in the head');
    return head;
  }

  /** An element's value, decoded at once. */
  private value(bytes: Uint8Array, text: string, from: number, to: number, flags: number): string {
    if (flags !== 0) return elementText(text.slice(from, to), flags, this.decoder);
    while (from < to && isSpace(bytes[from] as number)) from++;
    while (to > from && isSpace(bytes[to - 1] as number)) to--;
    return text.slice(from, to);
  }

  /** The detail at `at` (its opening tag), which ends before `end`; `after` is then the position after it. */
  line(
    bytes: Uint8Array,
    view: DataView,
    text: string,
    at: number,
    end: number,
    lineNo: number,
  ): StatementLine {
    if (!this.plain(bytes, view, text, at, end)) this.general(bytes, view, text, at, end);
    const amounts: number[] = [];
    for (const f of this.amountFields) {
      const plain = (this.seen & (1 << f)) !== 0 && this.holds[f] === 0;
      const fen = plain ? fenBetween(bytes, this.starts[f] as number, this.ends[f] as number) : undefined;
      const amount = fen ?? fenOf(this.cell(bytes, text, f));
      if (amount === undefined) throw new Unusual(`detail ${lineNo} refused: its amount`);
      amounts.push(amount);
    }
    let status: LineStatus | undefined = '';
    if (this.statusField >= 0) {
      status = lineStatuses[this.cell(bytes, text, this.statusField) as keyof typeof lineStatuses];
      if (status === undefined) throw new Unusual(`detail ${lineNo} refused: its status`);
    }
    const parts = this.keyParts;
    const keys = this.keyFields;
    parts.voucherNo = this.cell(bytes, text, keys.voucherNo);
    parts.detailId = this.cell(bytes, text, keys.detailId);
    parts.budgetUnit = this.cell(bytes, text, keys.budgetUnit);
    parts.subject = this.cell(bytes, text, keys.subject);
    const key = lineKey(this.kind, parts);
    return new XmlLine(key, text.slice(at, this.after), this.tags, this.decoder, amounts, status, lineNo);
  }

  /**
   * Reads the detail at `at` as a bank's writer writes it — the kind's elements in its order, no
   * whitespace between them — each tag compared with what the writer puts there; false when the
   * detail is written otherwise (`general` reads it then).
   */
  private plain(bytes: Uint8Array, view: DataView, text: string, at: number, end: number): boolean {
    const joints = this.joints;
    const fields = joints.length - 1;
    for (let i = 0; i < fields; i++) {
      const joint = joints[i] as Tag;
      if (!tagAt(view, at, joint, end)) return false;
      const from = at + joint.length;
      at = this.text(bytes, text, from, end);
      this.starts[i] = from;
      this.ends[i] = at;
      this.holds[i] = this.flags;
      if (this.flags !== 0) {
        this.from = from;
        this.to = at;
        this.check(bytes, text, i);
      }
    }
    const last = joints[fields] as Tag;
    if (!tagAt(view, at, last, end)) return false;
    this.seen = (1 << fields) - 1;
    this.after = at + last.length;
    return true;
  }

  /** Reads the detail at `at` element by element, in any order, whitespace between them. */
  private general(bytes: Uint8Array, view: DataView, text: string, at: number, end: number): void {
    const known = this.detail;
    let next = 0;
    this.seen = 0;
    for (at = skipSpace(bytes, at + detailOpen.length, end); ; at = skipSpace(bytes, at, end)) {
      if (at >= end) throw new Unusual('a detail not closed');
      const after = this.element(bytes, view, text, at, end, known, next);
      if (after < 0) break;
      const i = this.index;
      if (this.seen & (1 << i)) throw new Unusual('an element twice in a detail');
      this.seen |= 1 << i;
      if (this.flags !== 0) this.check(bytes, text, i);
      if (i < this.starts.length) {
        this.starts[i] = this.from;
        this.ends[i] = this.to;
        this.holds[i] = this.flags;
      }
      next = i + 1;
      at = after;
    }
    if (!tagAt(view, at, detailClose, end)) throw new Unusual('a detail not closed at once');
    this.after = at + detailClose.length;
  }

  /** The text of the kind's `f`-th field in the detail just read ('' when it is not there or f < 0). */
  private cell(bytes: Uint8Array, text: string, f: number): string {
    if (f < 0 || (this.seen & (1 << f)) === 0) return '';
    return this.value(bytes, text, this.starts[f] as number, this.ends[f] as number, this.holds[f] as number);
  }

  /**
   * Checks a text that is not plain ASCII (the element `i`-th known) decodes, references and all:
   * a unit name of bytes that decode is left to decode when asked; anything else is read once here.
   */
  private check(bytes: Uint8Array, text: string, i: number): void {
    const lazy =
      i === this.nameField &&
      this.flags === holds.nonAscii &&
      (this.encoding === 'GBK'
        ? gbkPairsBetween(text, this.from, this.to)
        : utf8Between(bytes, this.from, this.to));
    if (!lazy) elementText(text.slice(this.from, this.to), this.flags, this.decoder);
  }
}

/**
 * Yuan with two decimals between `from` and `to` (whitespace about it trimmed) in fen, as fenOf
 * reads it; undefined for anything else, and for more than 13 digits before the point (fenOf then
 * reads it, through Number()).
 */
function fenBetween(bytes: Uint8Array, from: number, to: number): number | undefined {
  while (from < to && isSpace(bytes[from] as number)) from++;
  while (to > from && isSpace(bytes[to - 1] as number)) to--;
  const negative = bytes[from] === 0x2d;
  if (negative) from++;
  const point = to - 3;
  if (point <= from || point - from > 13 || bytes[point] !== 0x2e) return undefined;
  let fen = 0;
  for (let i = from; i < to; i++) {
    if (i === point) continue;
    const d = (bytes[i] as number) - 0x30;
    if (d < 0 || d > 9) return undefined;
    fen = fen * 10 + d;
  }
  return negative ? -fen : fen;
}

/**
 * Lines of one package in batches (one a chunk), then its head values; throws `Unusual` where the
 * conformant parser must take over.
 */
export async function* scanXmlPackage(
  chunks: AsyncIterable<Uint8Array>,
  options: ScanOptions,
): AsyncGenerator<StatementLine[], HeadValues> {
  let reader: Reader | undefined;
  let head: HeadValues = {};
  let lineNo = options.firstLineNo - 1;
  let rest: Buffer | undefined;
  let state: 'prolog' | 'body' | 'end' = 'prolog';
  let prolog = new Uint8Array();
  let utf8 = false;
  for await (const chunk of chunks) {
    if (!reader) {
      const encoding = options.encodingOf(chunk);
      utf8 = encoding === 'UTF-8';
      reader = new Reader(options.kind, encoding);
      prolog = ascii(`<?xml version="1.0" encoding="${encoding}"?>`);
    }
    const read = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const bytes = rest ? Buffer.concat([rest, read]) : read;
    // The same bytes as text, one character a byte: what values are cut from.
    const text = bytes.toString('latin1');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    let at = 0;
    if (state === 'prolog') {
      const headEnd = text.indexOf(headClose);
      if (headEnd < 0) {
        if (bytes.length > carriedMost) throw new Unusual('no head in the first MiB');
        rest = bytes;
        continue;
      }
      if (utf8 && startsAt(bytes, 0, utf8Bom)) at = utf8Bom.length;
      if (!startsAt(bytes, at, prolog)) throw new Unusual('another prolog');
      at = expect(bytes, at + prolog.length, rootOpen);
      at = expect(bytes, at, headOpen);
      head = reader.head(bytes, view, text, at, headEnd);
      at = expect(bytes, headEnd + headClose.length, bodyOpen);
      state = 'body';
    }
    const lines: StatementLine[] = [];
    if (state === 'body') {
      // A detail that starts before the text's last closing of a detail ends in this text.
      const complete = text.lastIndexOf(`</${xml.detail}>`);
      const end = complete + detailClose.length;
      for (;;) {
        at = skipSpace(bytes, at, bytes.length);
        if (tagAt(view, at, detailOpen, bytes.length)) {
          if (at >= complete) break;
          lineNo += 1;
          lines.push(reader.line(bytes, view, text, at, end, lineNo));
          at = reader.after;
        } else if (startsAt(bytes, at, bodyClose)) {
          const after = skipSpace(bytes, at + bodyClose.length, bytes.length);
          // The root's closing may come with the next chunk.
          if (bytes.length - after < rootClose.length && startsAt(rootClose, 0, bytes.subarray(after))) break;
          at = expect(bytes, after, rootClose);
          state = 'end';
          break;
        } else if (bytes.length - at < bodyClose.length) break;
        else throw new Unusual('neither a detail nor the body closing');
      }
    }
    if (state === 'end' && skipSpace(bytes, at, bytes.length) < bytes.length)
      throw new Unusual('text after the root element');
    rest = state === 'end' ? undefined : bytes.subarray(at);
    if (rest && rest.length > carriedMost) throw new Unusual('a detail longer than a MiB');
    if (lines.length > 0) yield lines;
  }
  if (state !== 'end') throw new Unusual('the package ends early');
  return head;
}
