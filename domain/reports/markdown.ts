/**
 * Writing the reports' Markdown. Text comes from outside — bank names, what a queue manager or a
 * bank answered, an approver's reason — so a plain string is always written as the text it is:
 * Markdown's punctuation escaped, line breaks folded, so nothing in it can become a heading, a
 * link, emphasis or a table cell of its own. Markup is made here only (`code`, `strong`,
 * `inline`). The HTML page is rendered from this Markdown by markdown-it, raw HTML off
 * (activities/report/report-html.ts). Pure.
 */

/** Markdown made in this module; `cell` is the same inside a table row, where a `|` ends the cell. */
class Markup {
  constructor(
    readonly text: string,
    readonly cell: string,
  ) {}
}
export type { Markup };

/** Plain text (escaped when written) or markup made here. */
export type Inline = string | Markup;

/** CommonMark's punctuation that can start markup inline: escaped wherever it stands. */
const inlineSpecials = /[\\`*_[\]<>|~&#]/g;

function escapeText(value: string): string {
  return value.replace(/\s*[\r\n]+\s*/g, ' ').replace(inlineSpecials, (c) => `\\${c}`);
}

const written = (part: Inline, inCell: boolean): string =>
  typeof part === 'string' ? escapeText(part) : inCell ? part.cell : part.text;

/** Parts written one after the other. */
export function inline(...parts: Inline[]): Markup {
  return new Markup(
    parts.map((p) => written(p, false)).join(''),
    parts.map((p) => written(p, true)).join(''),
  );
}

/** A code span (commands, workflow ids): a fence longer than any run of backticks inside. */
export function code(value: string): Markup {
  const flat = value.replace(/\s*[\r\n]+\s*/g, ' ');
  const fence = '`'.repeat(longestRun(flat, '`') + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat === '' ? ' ' : '';
  const span = `${fence}${pad}${flat}${pad}${fence}`;
  return new Markup(span, span.replace(/\|/g, '\\|'));
}

export function strong(value: Inline): Markup {
  const inner = inline(value);
  return new Markup(`**${inner.text}**`, `**${inner.cell}**`);
}

function longestRun(value: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of value) {
    run = c === char ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

/** A block's first characters that would start a list, a heading or a quote when left bare. */
function guardStart(line: string): string {
  return line.replace(/^(\d{1,9})([.)])/, '$1\\$2').replace(/^([-+])/, '\\$1');
}

const blockLine = (content: Inline) => guardStart(written(content, false).trim());

export function heading(level: 1 | 2 | 3, title: Inline): string {
  return `${'#'.repeat(level)} ${blockLine(title)}`;
}

export function paragraph(content: Inline): string {
  return blockLine(content);
}

export function bullets(items: Inline[]): string {
  return items.map((item) => `- ${blockLine(item)}`).join('\n');
}

/** A fenced code block (a command of several lines), its fence longer than any inside. */
export function codeBlock(value: string, indent = ''): string {
  const fence = '`'.repeat(Math.max(3, longestRun(value, '`') + 1));
  return [fence, ...value.split(/\r?\n/), fence].map((l) => (l ? `${indent}${l}` : l)).join('\n');
}

/** A list item whose body is a fenced code block under its first line. */
export function bulletWithCode(item: Inline, body: string): string {
  return `- ${blockLine(item)}\n\n${codeBlock(body, '  ')}`;
}

export type Align = 'left' | 'right';

/** A pipe table; every row has the head's width (a missing cell is written empty). */
export function table(head: Inline[], rows: Inline[][], align: Align[] = []): string {
  const row = (cells: Inline[]) =>
    `| ${head.map((_, i) => written(cells[i] ?? '', true).trim()).join(' | ')} |`;
  const rule = `|${head.map((_, i) => (align[i] === 'right' ? '---:' : '---')).join('|')}|`;
  return [row(head), rule, ...rows.map(row)].join('\n');
}

/** Blocks separated by blank lines, ending with a newline; empty blocks are left out. */
export function document(blocks: string[]): string {
  return `${blocks.filter((b) => b !== '').join('\n\n')}\n`;
}

/** A link to a file beside the report (a relative path, encoded), its label written as text. */
export function fileLink(label: string, path: string): Markup {
  const text = `[${escapeText(label)}](<${encodeURI(path)}>)`;
  return new Markup(text, text.replace(/\|/g, '\\|'));
}
