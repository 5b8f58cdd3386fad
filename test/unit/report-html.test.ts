import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import MarkdownIt from 'markdown-it';
import { reportHtml } from '../../activities/report/report-html.ts';
import { projectRoot } from '../../temporal.config.ts';
import { hostile, reportFixtures } from './fixtures/runbook-reports.ts';

describe('every runbook report renders as HTML', () => {
  it('each runbook with a report module has a fixture here', () => {
    const modules = readdirSync(join(projectRoot, 'domain', 'runbooks'))
      .filter((f) => f.endsWith('.report.ts'))
      .map((f) => f.replace(/\.report\.ts$/, ''))
      .sort();
    assert.deepEqual(Object.keys(reportFixtures).sort(), modules);
  });

  for (const [runbook, report] of Object.entries(reportFixtures)) {
    it(`${runbook}: headings and tables, no raw Markdown, outside HTML escaped`, () => {
      const md = report();
      const html = reportHtml(md);
      const text = html.replace(/<[^>]*>/g, '');
      assert.match(html, /^<!doctype html>\n<html lang="zh-CN">/);
      assert.match(html, /<title>[^<]*报告[^<]*<\/title>/);
      assert.equal(html.match(/<h1>/g)?.length, 1);
      assert.match(html, /<h2>/);
      assert.equal(
        html.match(/<table>\n<thead>/g)?.length ?? 0,
        md.match(/^\|---/gm)?.length ?? 0,
        'every table renders',
      );
      assert.doesNotMatch(text, /^#{1,6} /m, 'no Markdown heading left');
      assert.doesNotMatch(text, /\|\s*-{3,}:?\s*\|/, 'no table rule left');
      assert.doesNotMatch(text, /^\s*\|.*\|\s*$/m, 'no pipe-table row left');
      assert.doesNotMatch(text, /\\[*_|<>#`[\]&~]/, 'no Markdown escapes left');
      for (const pre of html.match(/<pre>[\s\S]*?<\/pre>/g) ?? [])
        assert.doesNotMatch(pre, /<table|\|---/, 'no table inside a <pre>');
      assert.doesNotMatch(
        html,
        /<script|<img|<a\s|javascript:alert[^)]*\)"/i,
        'nothing from outside is live markup',
      );
      assert.ok(
        html.includes('&lt;script&gt;alert(1)&lt;/script&gt; | *强调* # [点我](javascript:alert(1)) `x`'),
        'the bank text reads as sent',
      );
      assert.ok(text.includes(hostile.replace(/</g, '&lt;').replace(/>/g, '&gt;')));
    });
  }

  it('renders a section at a time the HTML of the whole document at once', () => {
    const whole = new MarkdownIt({ html: false, linkify: false, typographer: false });
    const body = (html: string) => html.slice(html.indexOf('<body>\n') + 7, html.lastIndexOf('</body>'));
    const fences = [
      '# 报告',
      '',
      '```',
      '# 代码里的井号',
      '````',
      '# 仍在代码里',
      '```',
      '',
      '- 命令：',
      '',
      '  ~~~~',
      '  # 列表里的代码',
      '  ~~~~',
      '',
      '## 第二节',
      '',
      '| 甲 | 乙 |',
      '|---|---|',
      '| 1 | 2 |',
      '### 第三节',
      '#不是标题',
      '',
    ].join('\n');
    for (const [name, md] of [
      ...Object.entries(reportFixtures).map(([runbook, report]) => [runbook, report()] as const),
      ['fences', fences] as const,
    ])
      assert.equal(body(reportHtml(md)), whole.render(md), name);
  });

  it('the page carries the Chinese font fallback and a print layout', () => {
    const html = reportHtml(reportFixtures['daily-inspection']!());
    assert.match(html, /font-family:"PingFang SC",.*"Noto Sans CJK SC"/);
    assert.match(html, /@media print\{/);
    assert.match(html, /thead\{display:table-header-group\}/);
    assert.match(html, /<title>日常巡检报告 — 示例县财政局<\/title>/);
    assert.match(html, /<h2>明细<\/h2>\n<h3>中国工商银行（ICBC）<\/h3>\n<ul>/);
  });
});
