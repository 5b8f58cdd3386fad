/**
 * Streaming parser for XML statements split into packages (saxes, a conformant SAX parser): each
 * package is read chunk by chunk in the encoding its declaration names; the packages must all be
 * there (CurPackNo 1..ChildPackNum) and agree on the statement they belong to. A package that
 * ends before its root element closes is truncated; undecodable bytes are a broken encoding.
 */
import type { LineBatch, LineSource, StatementTotals, Totals } from './batches.ts';
import { strictDecoder, type Decoder } from './decode.ts';
import { isoDate, statementEncodings, type StatementEncoding } from './format.ts';
import { StatementError } from './statement-error.ts';
import { scanXmlPackage, type HeadValues } from './scan-xml.ts';
import {
  amountFields,
  fenOf,
  kindOfVoucherType,
  lineFields,
  fieldIndex,
  makeLine,
  statementKinds,
  type FieldIndex,
  type LineField,
  type StatementHeader,
  type StatementKind,
  type StatementLine,
} from './statement.ts';
import { detailElements, headElements, xml } from './xml-names.ts';
import { Unusual } from './xml-text.ts';

export interface XmlPackageSource {
  /** The package's file name, for errors. */
  name: string;
  open(): AsyncIterable<Uint8Array>;
}

export interface XmlPosition {
  /** Index of the next package to read. */
  package: number;
  lineNo: number;
  counted: Totals;
  header: StatementHeader;
}

type DetailValues = Partial<Record<LineField, string>>;

const fieldOfElement = new Map(Object.entries(detailElements).map(([f, e]) => [e, f as LineField]));
const headOfElement = new Map<string, keyof typeof headElements>(
  Object.entries(headElements).map(([k, e]) => [e, k as keyof typeof headElements]),
);

/**
 * Lines of one package in batches, then (as the last batch's `totals.header`) its head: read by the
 * fast reader (scan-xml.ts) while the package is of the spec's plain shape, by the conformant
 * parser from the start when it is not — the lines the fast reader handed on already skipped.
 */
export async function* parseXmlPackage(
  pkg: XmlPackageSource,
  kind: StatementKind,
  firstLineNo: number,
): AsyncGenerator<LineBatch<never>> {
  const fail = (problem: ConstructorParameters<typeof StatementError>[0], message: string, line?: number) =>
    new StatementError(problem, pkg.name, message, line);
  const scan = scanXmlPackage(pkg.open(), {
    kind,
    firstLineNo,
    encodingOf: (first) => declaredEncoding(first, fail),
  });
  let handed = 0;
  try {
    for (;;) {
      const next = await scan.next();
      if (next.done) {
        yield { lines: [], totals: packageTotals(headerOf(next.value, kind, fail)) };
        return;
      }
      handed += next.value.length;
      yield { lines: next.value };
    }
  } catch (err) {
    if (!(err instanceof Unusual)) throw err;
  } finally {
    await scan.return(undefined as never);
  }
  for await (const batch of parseXmlPackageConformant(pkg, kind, firstLineNo)) {
    const skip = Math.min(handed, batch.lines.length);
    handed -= skip;
    if (skip === 0) yield batch;
    else if (skip < batch.lines.length || batch.totals) yield { ...batch, lines: batch.lines.slice(skip) };
  }
}

const packageTotals = (header: StatementHeader): StatementTotals => ({
  header,
  declared: { count: 0, amountFen: 0 },
  counted: { count: 0, amountFen: 0 },
});

/** A detail's line from its elements' text, or the fault that refuses it. */
function detailLine(
  kind: StatementKind,
  d: DetailValues,
  n: number,
  fail: (p: 'malformed', m: string, line?: number) => StatementError,
): StatementLine {
  const cells = lineFields[kind].map((f: LineField) => d[f] ?? '');
  const index = fieldIndexOf[kind];
  const amounts: number[] = [];
  for (const f of amountFields[kind]) {
    const text = cells[index[f]] ?? '';
    const fen = fenOf(text);
    if (fen === undefined)
      throw fail('malformed', `${detailElements[f]} "${text}" is not an amount in yuan`, n);
    amounts.push(fen);
  }
  try {
    return makeLine(kind, cells, index, amounts, n);
  } catch (err) {
    throw fail('malformed', (err as Error).message, n);
  }
}

const fieldIndexOf = Object.fromEntries(statementKinds.map((k) => [k, fieldIndex(k)])) as Record<
  StatementKind,
  FieldIndex
>;

/**
 * The conformant parser (saxes) over one package: what the fast reader leaves to it. saxes loads
 * the first time a package needs it (some 15–20 ms of a thread's start otherwise).
 */
async function* parseXmlPackageConformant(
  pkg: XmlPackageSource,
  kind: StatementKind,
  firstLineNo: number,
): AsyncGenerator<LineBatch<never>> {
  const fail = (problem: ConstructorParameters<typeof StatementError>[0], message: string, line?: number) =>
    new StatementError(problem, pkg.name, message, line);
  const { SaxesParser } = await import('saxes');
  const parser = new SaxesParser({ position: false });
  const fields = new Set<string>(lineFields[kind]);
  let pending: StatementLine[] = [];
  let lineNo = firstLineNo - 1;
  let path: string[] = [];
  let text = '';
  let detail: DetailValues | undefined;
  const head: HeadValues = {};
  let rootClosed = false;
  let parseError: Error | undefined;
  parser.on('error', (err) => {
    parseError ??= err;
  });
  parser.on('opentag', (tag) => {
    path.push(tag.name);
    text = '';
    if (tag.name === xml.detail) detail = {};
  });
  parser.on('text', (t) => (text += t));
  parser.on('cdata', (t) => (text += t));
  parser.on('closetag', (tag) => {
    path.pop();
    const parent = path[path.length - 1];
    if (tag.name === xml.detail && detail) {
      lineNo += 1;
      pending.push(toLine(detail, lineNo));
      detail = undefined;
    } else if (detail && parent === xml.detail) {
      const field = fieldOfElement.get(tag.name);
      if (field && fields.has(field)) detail[field] = text.trim();
    } else if (parent === xml.head) {
      const key = headOfElement.get(tag.name);
      if (key) head[key] = text.trim();
    } else if (tag.name === xml.root) rootClosed = true;
    text = '';
  });
  const toLine = (d: DetailValues, n: number) => detailLine(kind, d, n, fail);

  let decoder: Decoder | undefined;
  for await (const chunk of pkg.open()) {
    decoder ??= strictDecoder(declaredEncoding(chunk, fail));
    let decoded: string;
    try {
      decoded = decoder.decode(chunk, { stream: true });
    } catch {
      throw fail('encoding', `bytes after detail ${lineNo} are not valid in the declared encoding`);
    }
    parser.write(decoded);
    if (parseError) throw fail('malformed', parseError.message, lineNo);
    if (pending.length > 0) {
      yield { lines: pending };
      pending = [];
    }
  }
  if (!rootClosed) throw fail('truncated', `the package ends after detail ${lineNo} before </${xml.root}>`);
  try {
    decoder?.decode();
  } catch {
    throw fail('encoding', 'the package ends inside a character');
  }
  parser.close();
  if (parseError) throw fail('malformed', parseError.message, lineNo);
  path = [];
  const header = headerOf(head, kind, fail);
  yield { lines: pending, totals: packageTotals(header) };
}

/**
 * The whole statement over its packages, in CurPackNo order: every package's head must name the
 * same statement and totals, and their lines must add up to AllNum/AllAmt. Resumes at a package.
 */
export function xmlStatementSource(
  packages: readonly XmlPackageSource[],
  kind: StatementKind,
): LineSource<XmlPosition> {
  return async function* (from) {
    let lineNo = from?.lineNo ?? 0;
    const counted: Totals = { ...(from?.counted ?? { count: 0, amountFen: 0 }) };
    let first = from?.header;
    for (let i = from?.package ?? 0; i < packages.length; i++) {
      const pkg = packages[i] as XmlPackageSource;
      for await (const batch of parseXmlPackage(pkg, kind, lineNo + 1)) {
        for (const l of batch.lines) {
          counted.count += 1;
          counted.amountFen += l.amounts[0] ?? 0;
        }
        lineNo += batch.lines.length;
        if (!batch.totals) {
          yield { lines: batch.lines };
          continue;
        }
        const header = batch.totals.header;
        checkPackage(header, first, i + 1, packages.length, pkg.name);
        first ??= header;
        yield {
          lines: batch.lines,
          position: { package: i + 1, lineNo, counted: { ...counted }, header: first },
        };
      }
    }
    if (!first) throw new StatementError('incomplete', kind, 'no package of the statement has arrived');
    yield {
      lines: [],
      totals: { header: first, declared: { count: first.allNum, amountFen: first.allAmtFen }, counted },
    };
  };
}

function checkPackage(
  h: StatementHeader,
  first: StatementHeader | undefined,
  no: number,
  of: number,
  name: string,
) {
  const fail = (message: string) => new StatementError('inconsistent', name, message);
  if (h.curPackNo !== no) throw fail(`CurPackNo is ${h.curPackNo} where package ${no} was expected`);
  if (h.childPackNum !== of)
    throw new StatementError(
      h.childPackNum > of ? 'incomplete' : 'inconsistent',
      name,
      `ChildPackNum is ${h.childPackNum} but ${of} packages have arrived`,
    );
  if (!first) return;
  for (const key of ['statementNo', 'allNum', 'allAmtFen', 'beginDate', 'endDate', 'divisionCode'] as const)
    if (h[key] !== first[key]) throw fail(`${key} is ${h[key]}, package 1 says ${first[key]}`);
}

function headerOf(
  head: HeadValues,
  kind: StatementKind,
  fail: (p: 'malformed' | 'inconsistent', m: string) => StatementError,
): StatementHeader {
  const get = (k: keyof typeof headElements) => head[k] ?? '';
  const int = (k: keyof typeof headElements) => {
    const n = Number(get(k));
    if (!/^\d+$/.test(get(k)))
      throw fail('malformed', `${headElements[k]} "${get(k)}" is not a whole number`);
    return n;
  };
  if (kindOfVoucherType(get('voucherType')) !== kind)
    throw fail('inconsistent', `VtCode ${get('voucherType')} is not a ${kind} statement`);
  const allAmtFen = fenOf(get('allAmt'));
  const beginDate = isoDate(get('beginDate'));
  const endDate = isoDate(get('endDate'));
  if (allAmtFen === undefined) throw fail('malformed', `AllAmt "${get('allAmt')}" is not an amount in yuan`);
  if (!beginDate || !endDate) throw fail('malformed', 'BeginDate/EndDate are not YYYYMMDD');
  return {
    kind,
    divisionCode: get('divisionCode'),
    fiscalYear: int('fiscalYear'),
    statementNo: get('statementNo'),
    clearingAccount: get('clearingAccount'),
    beginDate,
    endDate,
    allNum: int('allNum'),
    allAmtFen,
    childPackNum: int('childPackNum'),
    curPackNo: int('curPackNo'),
  };
}

/** The encoding an XML document's declaration names (UTF-8 without one). */
export function declaredEncoding(
  first: Uint8Array,
  fail: (p: 'malformed', m: string) => StatementError,
): StatementEncoding {
  const prolog = Buffer.from(first.subarray(0, 100)).toString('latin1');
  const declared =
    /^<\?xml[^>]*encoding=["']([A-Za-z0-9_-]+)["']/.exec(prolog)?.[1]?.toUpperCase() ?? 'UTF-8';
  const known = statementEncodings.find((e) => e === declared || (e === 'UTF-8' && declared === 'UTF8'));
  if (!known) throw fail('malformed', `declared encoding ${declared} is neither UTF-8 nor GBK`);
  return known;
}
