/**
 * Compact detail lines of XML packages, as text-line.ts makes them for text statements: the
 * detail's bytes as latin1 text (a byte a character, one string), its key, amounts and status read
 * at once, the other fields cut from it — and a unit name decoded from its checked bytes — only
 * when asked, for a difference. The values are the conformant parser's.
 */
import type { Decoder } from './decode.ts';
import {
  FieldsOnRequest,
  lineFields,
  type LineField,
  type LineStatus,
  type StatementKind,
  type StatementLine,
} from './statement.ts';
import { elementText, holds } from './xml-text.ts';
import { detailElements } from './xml-names.ts';

/** The opening tag of each of a kind's fields (undefined: the kind has no such field). */
export type DetailTags = Partial<Record<LineField, string>>;

export function detailTags(kind: StatementKind): DetailTags {
  return Object.fromEntries(lineFields[kind].map((f: LineField) => [f, `<${detailElements[f]}>`]));
}

export class XmlLine extends FieldsOnRequest implements StatementLine {
  constructor(
    readonly key: string,
    /** The detail's bytes as latin1 text, its elements' text as it stands in the file. */
    private readonly text: string,
    private readonly tags: DetailTags,
    /** Decodes the package's encoding (every text of the detail was checked to decode). */
    private readonly decoder: Decoder,
    readonly amounts: number[],
    readonly status: LineStatus,
    readonly lineNo: number,
  ) {
    super();
  }

  protected field(f: LineField): string {
    const tag = this.tags[f];
    const at = tag === undefined ? -1 : this.text.indexOf(tag);
    if (at < 0) return '';
    const from = at + (tag as string).length;
    const raw = this.text.slice(from, this.text.indexOf('<', from));
    return elementText(raw, flagsOf(raw), this.decoder);
  }
}

function flagsOf(raw: string): number {
  let flags = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 0x80) flags |= holds.nonAscii;
    else if (c === 0x26) flags |= holds.reference;
  }
  return flags;
}
