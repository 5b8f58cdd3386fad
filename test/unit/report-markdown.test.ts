import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reportHtml } from '../../activities/report/report-html.ts';
import {
  bullets,
  code,
  document,
  heading,
  inline,
  paragraph,
  strong,
  table,
} from '../../domain/reports/markdown.ts';
import { reportTime } from '../../domain/reports/runbook-report.ts';

/** The page's body, without the page around it. */
const body = (markdown: string) => reportHtml(markdown).split('<body>\n')[1]?.split('</body>')[0] ?? '';

const escapedHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const outsideTexts = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[点我](javascript:alert(1))',
  '![x](http://evil.example/x.png)',
  '*强调* __粗体__ ~~删除~~ `代码`',
  'a | b | c',
  '&lt;已转义&gt; &amp; &#60;',
  'back\\slash\\*',
  '<http://evil.example>',
  'name #1 ## 2 ###',
];

describe('report Markdown: text from outside reads as the text it is', () => {
  for (const text of outsideTexts) {
    it(`in a paragraph, a list item and a table cell: ${text}`, () => {
      assert.equal(body(paragraph(text)), `<p>${escapedHtml(text)}</p>\n`);
      assert.equal(body(bullets([text])), `<ul>\n<li>${escapedHtml(text)}</li>\n</ul>\n`);
      const html = body(table(['甲', '乙'], [[text, '2']]));
      assert.ok(html.includes(`<td>${escapedHtml(text)}</td>\n<td>2</td>`), html);
      assert.doesNotMatch(html, /<(script|img|a|em|strong|s|del|code)\b/);
    });
  }

  it('a line break inside a value cannot end the list item or the table row', () => {
    const text = 'first line\n# heading\n- item\n| x | y |';
    assert.equal(body(bullets([text])), `<ul>\n<li>${escapedHtml(text.replace(/\n/g, ' '))}</li>\n</ul>\n`);
    const html = body(table(['甲'], [[text]]));
    assert.equal(html.match(/<tr>/g)?.length, 2, html);
  });

  it('what would start a list, a heading or a quote at the start of a block stays text', () => {
    for (const text of [
      '- not an item',
      '+ not an item',
      '1. not a list',
      '2) not a list',
      '# not a heading',
      '> not a quote',
    ]) {
      assert.equal(body(paragraph(text)), `<p>${escapedHtml(text)}</p>\n`, text);
      assert.equal(body(bullets([text])), `<ul>\n<li>${escapedHtml(text)}</li>\n</ul>\n`, text);
    }
    assert.equal(body(heading(2, '1. 概况')), '<h2>1. 概况</h2>\n');
  });

  it('a heading keeps trailing hashes that are part of its title', () => {
    assert.equal(body(heading(1, 'Bank #1 ##')), '<h1>Bank #1 ##</h1>\n');
  });
});

describe('report Markdown: markup made here', () => {
  it('code spans hold backticks and pipes, inside a table too', () => {
    assert.equal(body(paragraph(code('a `b` c'))), '<p><code>a `b` c</code></p>\n');
    assert.equal(body(paragraph(code('`edge`'))), '<p><code>`edge`</code></p>\n');
    const html = body(table(['命令'], [[code("x = 'a|b' OR y || z")]]));
    assert.ok(html.includes("<td><code>x = 'a|b' OR y || z</code></td>"), html);
  });

  it('inline joins text and markup; strong wraps escaped text', () => {
    assert.equal(
      body(paragraph(inline('结果：', strong('已恢复 *真的*'), '，', code('id')))),
      '<p>结果：<strong>已恢复 *真的*</strong>，<code>id</code></p>\n',
    );
  });

  it('a table row shorter than its head is filled with empty cells; alignment is kept', () => {
    const md = table(['甲', '乙', '丙'], [['1']], ['left', 'right']);
    assert.equal(md, '| 甲 | 乙 | 丙 |\n|---|---:|---|\n| 1 |  |  |');
    assert.ok(body(md).includes('<th style="text-align:right">乙</th>'));
  });

  it('a document is its non-empty blocks, a blank line apart, ending in a newline', () => {
    assert.equal(document([heading(1, 't'), '', paragraph('p')]), '# t\n\np\n');
  });
});

describe('report times', () => {
  it('an instant in the site zone with seconds; an unreadable one as given, never NaN', () => {
    assert.equal(reportTime('2026-11-27T15:59:07.250Z', 'Asia/Shanghai'), '2026-11-27 23:59:07');
    assert.equal(reportTime('2026-12-31T16:00:00Z', 'Asia/Shanghai'), '2027-01-01 00:00:00');
    assert.equal(reportTime('not a time', 'Asia/Shanghai'), 'not a time');
    assert.equal(reportTime('', 'Asia/Shanghai'), '');
  });
});
