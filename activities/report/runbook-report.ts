/**
 * The report every mutating runbook leaves (DESIGN.md §2, "Evidence"): what was found, the plan
 * and its digest, who approved or rejected it, each action with what the system answered, the
 * verification and the outcome — in Chinese, as Markdown and HTML.
 */
import type { ApprovalPlan, ApprovalVote } from '../../domain/approvals/gate-types.ts';

export interface RunbookReport {
  runbook: string;
  title: string;
  workflowId: string;
  requestedBy: string;
  startedAt: string;
  finishedAt: string;
  /** The outcome in Chinese, e.g. 已恢复. */
  outcome: string;
  /** Machine-readable outcome, e.g. recovered. */
  outcomeCode: string;
  /** Label → lines. */
  sections: { heading: string; lines: string[] }[];
  plan?: ApprovalPlan;
  planDigest?: string;
  votes?: ApprovalVote[];
  actions?: { command: string; target: string; detail: string; at: string }[];
}

const verdictLabel = { approve: '同意', reject: '驳回' } as const;

function beijing(iso: string): string {
  return new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
}

export function renderRunbookMarkdown(r: RunbookReport): string {
  const out = [
    `# ${r.title}`,
    '',
    `- 结果：**${r.outcome}**（${r.outcomeCode}）`,
    `- 工作流：\`${r.workflowId}\``,
    `- 发起人：${r.requestedBy}`,
    `- 开始/结束：${beijing(r.startedAt)} / ${beijing(r.finishedAt)}`,
    '',
  ];
  for (const s of r.sections) out.push(`## ${s.heading}`, '', ...s.lines.map((l) => `- ${l}`), '');
  if (r.plan) {
    out.push('## 执行计划', '', `计划摘要（SHA-256）：\`${r.planDigest ?? ''}\``, '');
    for (const a of r.plan.actions) out.push(`- ${a.description.zh}（${a.target}）：\`${a.command}\``);
    out.push('');
  }
  if (r.votes?.length) {
    out.push('## 审批', '', '| 审批人 | 决定 | 意见 | 时间 | 渠道 |', '|---|---|---|---|---|');
    for (const v of r.votes)
      out.push(
        `| ${v.displayName}（${v.user}） | ${verdictLabel[v.verdict]} | ${(v.reason ?? '').replace(/\|/g, '\\|')} | ${beijing(v.at)} | ${v.via} |`,
      );
    out.push('');
  }
  if (r.actions?.length) {
    out.push('## 执行记录', '');
    for (const a of r.actions) out.push(`- ${beijing(a.at)} ${a.target}：\`${a.command}\` → ${a.detail}`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

export function renderRunbookHtml(r: RunbookReport): string {
  const sections = r.sections
    .map((s) => `<h2>${esc(s.heading)}</h2><ul>${s.lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`)
    .join('\n');
  const plan = r.plan
    ? `<h2>执行计划</h2><p>计划摘要（SHA-256）：<code>${esc(r.planDigest ?? '')}</code></p><table><tr><th>说明</th><th>对象</th><th>命令</th></tr>${r.plan.actions
        .map(
          (a) =>
            `<tr><td>${esc(a.description.zh)}</td><td>${esc(a.target)}</td><td><code>${esc(a.command)}</code></td></tr>`,
        )
        .join('')}</table>`
    : '';
  const votes = r.votes?.length
    ? `<h2>审批</h2><table><tr><th>审批人</th><th>决定</th><th>意见</th><th>时间</th><th>渠道</th></tr>${r.votes
        .map(
          (v) =>
            `<tr><td>${esc(v.displayName)}（${esc(v.user)}）</td><td>${verdictLabel[v.verdict]}</td><td>${esc(v.reason ?? '')}</td><td>${esc(beijing(v.at))}</td><td>${esc(v.via)}</td></tr>`,
        )
        .join('')}</table>`
    : '';
  const actions = r.actions?.length
    ? `<h2>执行记录</h2><table><tr><th>时间</th><th>对象</th><th>命令</th><th>返回</th></tr>${r.actions
        .map(
          (a) =>
            `<tr><td>${esc(beijing(a.at))}</td><td>${esc(a.target)}</td><td><code>${esc(a.command)}</code></td><td>${esc(a.detail)}</td></tr>`,
        )
        .join('')}</table>`
    : '';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:2em;color:#1f2328}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #d0d7de;padding:.4em .7em;text-align:left;vertical-align:top}
code{background:#f6f8fa;padding:0 .2em}
</style></head><body>
<h1>${esc(r.title)}</h1>
<p>结果：<strong>${esc(r.outcome)}</strong>（${esc(r.outcomeCode)}）<br>工作流：<code>${esc(r.workflowId)}</code>&emsp;发起人：${esc(r.requestedBy)}<br>
开始/结束：${esc(beijing(r.startedAt))} / ${esc(beijing(r.finishedAt))}</p>
${sections}
${plan}
${votes}
${actions}
</body></html>
`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
