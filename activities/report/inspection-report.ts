/**
 * Renders the daily inspection as Markdown and as a self-contained HTML page, in Chinese:
 * a traffic light per bank and per check, the findings with the runbook that fixes each, and
 * the figures behind them.
 */
import { runbookCatalog } from '../../domain/runbooks/catalog.ts';
import type { DailyInspectionResult } from '../../domain/runbooks/daily-inspection.types.ts';
import { checkLabel, lightLabel, trafficLabel } from './labels.ts';

export type InspectionSummary = Omit<DailyInspectionResult, 'report'>;

const checks = Object.keys(checkLabel) as (keyof typeof checkLabel)[];

function beijing(iso: string): string {
  return new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
}

export function renderInspectionMarkdown(s: InspectionSummary): string {
  const out: string[] = [];
  out.push(`# 日常巡检报告 — ${s.site}`, '');
  out.push(`- 巡检日期：${s.date}`);
  out.push(`- 总体状态：${lightLabel[s.light]}`);
  out.push(`- 开始/结束：${beijing(s.startedAt)} / ${beijing(s.finishedAt)}`);
  out.push(`- 工作流：\`${s.workflowId}\``);
  out.push(`- 发现问题：${s.findings.length + s.siteFindings.length} 项`);
  if (s.skipped.length) out.push(`- 跳过的检查：${s.skipped.map((c) => checkLabel[c]).join('、')}`);
  if (s.siteFindings.length) {
    out.push('', '## 全局问题', '', '| 级别 | 问题 | 处置 |', '|---|---|---|');
    for (const f of s.siteFindings)
      out.push(`| ${lightLabel[f.light]} | ${escapeMd(f.summary)} | ${escapeMd(f.action)} |`);
  }
  out.push('', '## 各银行状态', '');
  out.push(`| 银行 | 总体 | ${checks.map((c) => checkLabel[c]).join(' | ')} |`);
  out.push(`|---|---|${checks.map(() => '---').join('|')}|`);
  for (const b of s.banks) {
    const cells = checks.map((c) => {
      const r = b.checks[c];
      return r ? `${lightLabel[r.light]}${r.error ? `（检查失败：${escapeMd(r.error)}）` : ''}` : '—';
    });
    out.push(`| ${b.bankName}（${b.bank}） | ${lightLabel[b.light]} | ${cells.join(' | ')} |`);
  }
  out.push('', '## 发现的问题及处置建议', '');
  if (s.findings.length === 0) out.push('未发现问题。');
  else {
    out.push('| 银行 | 检查项 | 级别 | 问题 | 处置 Runbook |', '|---|---|---|---|---|');
    for (const f of s.findings) {
      const fix = runbookCatalog[f.fixRunbook];
      out.push(
        `| ${f.bank} | ${checkLabel[f.check]} | ${lightLabel[f.light]} | ${escapeMd(f.summary)} | ${fix.zh}（\`${f.fixRunbook}\`） |`,
      );
    }
  }
  if (s.followUps.length) {
    out.push('', '## 已按策略启动的处置 Runbook', '');
    for (const f of s.followUps) out.push(`- ${followUpLine(f)}`);
  }
  out.push('', '## 明细', '', ...detailLines(s));
  return out.join('\n');
}

/** Per-bank figures behind the lights: channel ends, depths, reachability, programs, traffic. */
function detailLines(s: InspectionSummary): string[] {
  const out: string[] = [];
  for (const b of s.banks) {
    out.push(`### ${b.bankName}（${b.bank}）`, '');
    if (b.channels) {
      for (const end of [
        b.channels.sender,
        b.channels.receiver,
        b.channels.bankSender,
        b.channels.bankReceiver,
      ]) {
        if (!end) continue;
        const seq = end.lastSeq === undefined ? '' : `，序列号 ${end.lastSeq}`;
        out.push(
          `- 通道 ${end.channel}（${end.qmgr}，${end.chltype}）：${end.status}${seq}${end.indoubt ? '，存在未决批次' : ''}`,
        );
      }
    }
    if (b.queues) {
      out.push(`- 传输队列 ${b.queues.xmitq.queue} 深度：${b.queues.xmitq.depth}`);
      if (b.queues.deadLetter) {
        out.push(
          `- 死信队列 ${b.queues.deadLetter.queue}（${b.queues.deadLetter.qmgr}）深度：${b.queues.deadLetter.depth}`,
        );
      }
    }
    if (b.frontEnd)
      out.push(`- 前置机（${b.frontEnd.method === 'ping' ? 'PING CHANNEL' : 'TCP'}）：${b.frontEnd.detail}`);
    for (const p of b.programs?.programs ?? [])
      out.push(`- 收发程序 ${p.name}：${p.running ? '运行中' : '未运行'}（${p.detail}）`);
    if (b.traffic) {
      out.push('', `| 业务类型 | 应有 | 实有 |`, '|---|---:|---:|');
      for (const l of b.traffic.lines) {
        const label = `${trafficLabel[l.kind] ?? l.kind}${['daily_report', 'payment_list', 'recon_file'].includes(l.kind) ? `（${b.traffic.reportDate}）` : ''}`;
        out.push(`| ${label} | ${l.expected} | ${l.actual}${l.actual !== l.expected ? ' ⚠' : ''} |`);
      }
      if (b.traffic.unsentBacklog > 0) out.push('', `超时未发送：${b.traffic.unsentBacklog} 笔`);
    }
    out.push('');
  }
  return out;
}

export function renderInspectionHtml(s: InspectionSummary): string {
  const color = { green: '#1a7f37', yellow: '#bf8700', red: '#cf222e', skipped: '#6e7781' } as const;
  const dot = (l: keyof typeof color) =>
    `<span class="dot" style="background:${color[l]}"></span>${lightLabel[l].slice(2).trim()}`;
  const rows = s.banks
    .map(
      (b) =>
        `<tr><th>${esc(b.bankName)}<br><small>${esc(b.bank)}</small></th><td>${dot(b.light)}</td>${checks
          .map((c) => {
            const r = b.checks[c];
            return `<td>${r ? dot(r.light) + (r.error ? `<br><small>检查失败：${esc(r.error)}</small>` : '') : '—'}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('\n');
  const findings = s.findings.length
    ? `<table><tr><th>银行</th><th>检查项</th><th>级别</th><th>问题</th><th>处置 Runbook</th></tr>${s.findings
        .map(
          (f) =>
            `<tr><td>${esc(f.bank)}</td><td>${checkLabel[f.check]}</td><td>${dot(f.light)}</td><td>${esc(f.summary)}</td><td>${runbookCatalog[f.fixRunbook].zh}<br><code>${f.fixRunbook}</code></td></tr>`,
        )
        .join('')}</table>`
    : '<p>未发现问题。</p>';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>日常巡检报告 ${esc(s.date)}</title>
<style>
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:2em;color:#1f2328}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #d0d7de;padding:.4em .7em;text-align:left;vertical-align:top}
.dot{display:inline-block;width:.8em;height:.8em;border-radius:50%;margin-right:.3em;vertical-align:middle}
small{color:#57606a}
</style></head><body>
<h1>日常巡检报告 — ${esc(s.site)}</h1>
<p>巡检日期：${esc(s.date)}&emsp;总体状态：${dot(s.light)}&emsp;发现问题：${s.findings.length + s.siteFindings.length} 项<br>
开始/结束：${esc(beijing(s.startedAt))} / ${esc(beijing(s.finishedAt))}&emsp;工作流：<code>${esc(s.workflowId)}</code></p>
${s.siteFindings.length ? `<h2>全局问题</h2><table><tr><th>级别</th><th>问题</th><th>处置</th></tr>${s.siteFindings.map((f) => `<tr><td>${dot(f.light)}</td><td>${esc(f.summary)}</td><td>${esc(f.action)}</td></tr>`).join('')}</table>` : ''}
<h2>各银行状态</h2>
<table><tr><th>银行</th><th>总体</th>${checks.map((c) => `<th>${checkLabel[c]}</th>`).join('')}</tr>
${rows}</table>
<h2>发现的问题及处置建议</h2>
${findings}
${s.followUps.length ? `<h2>已按策略启动的处置 Runbook</h2><ul>${s.followUps.map((f) => `<li>${esc(followUpLine(f))}</li>`).join('')}</ul>` : ''}
<h2>明细</h2>
<pre>${esc(detailLines(s).join('\n'))}</pre>
</body></html>
`;
}

function followUpLine(f: InspectionSummary['followUps'][number]): string {
  const state = f.status === 'started' ? '已启动' : '已在运行';
  return `${f.bank}：${runbookCatalog[f.runbook].zh}（${f.workflowId}）— ${state}`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function escapeMd(text: string): string {
  return text.replace(/\|/g, '\\|');
}
