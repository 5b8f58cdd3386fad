/**
 * A report's HTML page from its Markdown (domain/reports/): markdown-it renders headings, lists,
 * tables and code; raw HTML in the source stays text (`html: false`), and bare addresses are not
 * turned into links. One stylesheet for every report: Chinese fonts first, tables ruled, and a
 * print layout (A4, table heads repeated, rows and code kept whole across pages).
 */
import MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';

// markdown-it 14, not 15: 15's build defines every token's fields through a transpiler helper and
// renders the same HTML in twice the time (some 36 against 16 ms for a 200-bank inspection report).

const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

const stylesheet = `
body{font-family:"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif;line-height:1.6;color:#1f2328;max-width:64em;margin:2em auto;padding:0 1.5em}
h1{font-size:1.6em;border-bottom:2px solid #d0d7de;padding-bottom:.3em}
h2{font-size:1.3em;border-bottom:1px solid #d0d7de;padding-bottom:.2em;margin-top:1.8em}
h3{font-size:1.1em;margin-top:1.4em}
table{border-collapse:collapse;margin:.8em 0}
th,td{border:1px solid #d0d7de;padding:.35em .7em;text-align:left;vertical-align:top}
th{background:#f6f8fa;white-space:nowrap}
tbody tr:nth-child(even){background:#fafbfc}
code{font-family:"SFMono-Regular",Consolas,"Liberation Mono","Noto Sans Mono CJK SC",monospace;font-size:.9em;background:#f6f8fa;padding:0 .25em;border-radius:3px;overflow-wrap:anywhere}
pre{background:#f6f8fa;padding:.6em .8em;white-space:pre-wrap;overflow-wrap:anywhere}
pre code{padding:0}
@page{size:A4;margin:1.5cm}
@media print{
body{max-width:none;margin:0;padding:0;font-size:10.5pt;color:#000}
h1,h2,h3{break-after:avoid}
tr,pre,li{break-inside:avoid}
thead{display:table-header-group}
th,code,pre,tbody tr:nth-child(even){background:none}
}`;

/**
 * The page for a report's Markdown; its title is the document's first heading. The body is rendered
 * a section at a time (`headingSections`): the same HTML as the whole document at once, but a
 * 200-bank report's tens of thousands of tokens no longer live all at once, long enough to be moved
 * out of the worker's small young generation (`--max-semi-space-size=2`) and collected by full
 * collections of its whole heap.
 */
export function reportHtml(source: string): string {
  const env = {};
  let title: string | undefined;
  const body = headingSections(source).map((section) => {
    const tokens = markdown.parse(section, env);
    title ??= headingText(tokens);
    return markdown.renderer.render(tokens, markdown.options, env);
  });
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${markdown.utils.escapeHtml(title ?? '')}</title>
<style>${stylesheet}
</style></head><body>
${body.join('')}</body></html>
`;
}

/** The text of the first heading among `tokens`, if any. */
function headingText(tokens: Token[]): string | undefined {
  const heading = tokens.find((t, i) => t.type === 'inline' && tokens[i - 1]?.type === 'heading_open');
  return heading?.children
    ?.filter((t) => t.type === 'text' || t.type === 'code_inline')
    .map((t) => t.content)
    .join('');
}

/** An opening or closing code fence: up to three spaces, then three or more backticks or tildes. */
const fenceLine = /^ {0,3}(`{3,}|~{3,})(.*)$/;
/** An ATX heading at the start of a line. */
const headingLine = /^#{1,6}(?:[ \t]|$)/;

/**
 * The Markdown cut before each heading that starts a line outside a fenced code block. A heading
 * ends whatever list, table or paragraph stands above it, and the reports write no link reference
 * definitions (the one thing Markdown shares across a document), so the sections rendered one after
 * another give the whole document's HTML (test/unit/report-html.test.ts holds every report to it).
 */
function headingSections(source: string): string[] {
  const sections: string[] = [];
  const lines = source.split('\n');
  let from = 0;
  let fence: string | undefined;
  lines.forEach((line, i) => {
    const marker = fenceLine.exec(line);
    if (fence !== undefined) {
      if (marker && closes(fence, marker[1] ?? '', marker[2] ?? '')) fence = undefined;
    } else if (marker) fence = marker[1];
    else if (i > from && headingLine.test(line)) {
      sections.push(lines.slice(from, i).join('\n') + '\n');
      from = i;
    }
  });
  sections.push(lines.slice(from).join('\n'));
  return sections;
}

/** Whether a fence line (`run`, then `rest`) closes the block `fence` opened: same character, at least as long, nothing after. */
const closes = (fence: string, run: string, rest: string) =>
  run[0] === fence[0] && run.length >= fence.length && rest.trim() === '';
