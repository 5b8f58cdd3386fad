/**
 * The evidence bundle as a page for people: per run, what was started, planned, decided,
 * done and concluded — who, when (Beijing time) and why — with the chain's verification at
 * the top. Chinese by default, English on request. Every value from the trail is escaped.
 */
import type { EvidenceBundle } from './evidence.ts';
import type { AuditKind, AuditRecord } from './record.ts';
import type { AuditProblemKind } from './verify.ts';

type Language = 'zh' | 'en';

const labels = {
  zh: {
    title: '审计证据',
    site: '单位',
    range: '期间（北京时间）',
    generated: '生成时间',
    recordCount: '记录数',
    runCount: '运行数',
    chain: '审计链校验（全链）',
    rangeCheck: '本期间记录校验',
    intact: '完整',
    broken: '发现问题',
    anchors: '链锚点',
    anchorBefore: '期间前一条记录',
    anchorEnd: '期间末条记录',
    chainHead: '导出时数据库中的链头',
    signedHead: '导出时的签名链头（审计库之外）',
    signedHeadNone: '缺失或签名无效',
    howTo: '核对方法',
    howToText:
      '每条记录的哈希 = SHA-256（上一条记录的哈希 + 本条记录内容的规范 JSON）。从“期间前一条记录”的哈希开始依次计算，应得到“期间末条记录”的哈希；该哈希可与链头或其他期间导出的锚点核对。每条记录的哈希另有审计签名密钥的 Ed25519 签名，用站点配置 audit.signers 中的公钥核验；签名链头保存在审计库之外，本导出保存的链头可用于日后核对（runbook audit verify --anchor evidence.json）。',
    none: '该期间没有审计记录。',
    runIds: '运行 ID',
    requester: '发起人',
    seq: '序号',
    time: '时间',
    who: '人员',
    subject: '对象',
    detail: '内容',
    planTitle: '事项',
    inputDigest: '输入摘要',
    planDigest: '计划摘要',
    findings: '原因',
    actions: '将执行',
    verdict: '决定',
    approve: '批准',
    reject: '驳回',
    reason: '理由',
    via: '渠道',
    signedBy: '签名密钥',
    signature: '签名',
    action: '操作',
    before: '变更前',
    after: '变更后',
    result: '结果',
    roles: '升级至角色',
    approvedBy: '批准人',
    problemAt: '序号',
  },
  en: {
    title: 'Audit evidence',
    site: 'Site',
    range: 'Period (Beijing time)',
    generated: 'Generated',
    recordCount: 'Records',
    runCount: 'Runs',
    chain: 'Audit chain check (whole chain)',
    rangeCheck: 'Check of this period’s records',
    intact: 'intact',
    broken: 'problems found',
    anchors: 'Chain anchors',
    anchorBefore: 'Record before the period',
    anchorEnd: 'Last record of the period',
    chainHead: 'Chain head in the store at export',
    signedHead: 'Signed chain head at export (kept outside the store)',
    signedHeadNone: 'missing or not validly signed',
    howTo: 'How to check',
    howToText:
      'Each record’s hash = SHA-256(previous record’s hash + the canonical JSON of the record). Starting from the hash of the record before the period, recomputing each record in turn must give the hash of the period’s last record, which can be matched with the chain head or the anchors of another export. Each record’s hash is also signed (Ed25519) with the audit signing key, checked with the public keys in the site file’s audit.signers; the signed chain head is kept outside the store, and the one saved in this export anchors later checks (runbook audit verify --anchor evidence.json).',
    none: 'No audit records in this period.',
    runIds: 'Run IDs',
    requester: 'Requested by',
    seq: 'Seq',
    time: 'Time',
    who: 'Who',
    subject: 'Subject',
    detail: 'Details',
    planTitle: 'Title',
    inputDigest: 'Input digest',
    planDigest: 'Plan digest',
    findings: 'Why',
    actions: 'Will execute',
    verdict: 'Verdict',
    approve: 'approved',
    reject: 'rejected',
    reason: 'Reason',
    via: 'Via',
    signedBy: 'Signing key',
    signature: 'Signature',
    action: 'Action',
    before: 'Before',
    after: 'After',
    result: 'Result',
    roles: 'Escalated to roles',
    approvedBy: 'Approved by',
    problemAt: 'seq',
  },
} as const;

type Labels = (typeof labels)[Language];

/** Sections of a run, in the order things happen. */
const sections: { kind: AuditKind; zh: string; en: string }[] = [
  { kind: 'run-started', zh: '运行', en: 'Run' },
  { kind: 'plan', zh: '计划', en: 'Plan' },
  { kind: 'decision', zh: '审批决定', en: 'Approval decisions' },
  { kind: 'escalation', zh: '审批升级', en: 'Escalations' },
  { kind: 'step-paused', zh: '步骤暂停', en: 'Steps paused' },
  { kind: 'hand-decision', zh: '人工处置', en: 'Operator decisions' },
  { kind: 'mutation', zh: '执行操作', en: 'Changes made' },
  { kind: 'bank-request', zh: '向银行的请求', en: 'Requests to the bank' },
  { kind: 'outcome', zh: '结果', en: 'Outcome' },
];

const problemLabels: Record<AuditProblemKind, { zh: string; en: string }> = {
  altered: { zh: '记录被改动', en: 'record altered' },
  removed: { zh: '记录缺失', en: 'record removed' },
  reordered: { zh: '记录顺序被调换', en: 'records reordered' },
  duplicated: { zh: '序号重复', en: 'seq duplicated' },
  'beyond-head': { zh: '链头之外的记录', en: 'record outside the chain head' },
  truncated: { zh: '记录被截断', en: 'trail truncated' },
  signature: { zh: '审计签名无效', en: 'audit signature invalid' },
  decision: { zh: '审批决定核验失败', en: 'decision fails its check' },
  anchor: { zh: '签名链头无法核对', en: 'signed head unusable' },
};

export function renderEvidenceHtml(bundle: EvidenceBundle, language: Language = 'zh'): string {
  const t = labels[language];
  const runs = groupByRun(bundle.records);
  const { chain, range } = bundle.verification;
  const anchor = (p: { seq: number; hash: string | null } | null) =>
    p ? `${t.seq} ${p.seq}：<code>${esc(p.hash ?? '—')}</code>` : '—';
  return `<!doctype html>
<html lang="${language === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8">
<title>${t.title} ${esc(bundle.range.from)} – ${esc(bundle.range.to)}</title>
<style>
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:2em;color:#1f2328}
table{border-collapse:collapse;margin:.5em 0 1em;width:100%}th,td{border:1px solid #d0d7de;padding:.4em .7em;text-align:left;vertical-align:top}
th{background:#f6f8fa}pre{white-space:pre-wrap;word-break:break-all;margin:.2em 0;font-size:.9em}
code{word-break:break-all}.ok{color:#1a7f37;font-weight:bold}.bad{color:#cf222e;font-weight:bold}
section.run{border-top:2px solid #d0d7de;margin-top:2em}small{color:#57606a}
</style></head><body>
<h1>${t.title}${bundle.site ? ` — ${esc(bundle.site)}` : ''}</h1>
<p>${t.range}：${esc(bundle.range.from)} 至 ${esc(bundle.range.to)}&emsp;${t.generated}：${esc(beijing(bundle.generatedAt))}<br>
${t.recordCount}：${bundle.records.length}&emsp;${t.runCount}：${runs.length}</p>
<h2>${t.chain}：${verdict(chain.ok, t)}</h2>
${problemList(chain.problems, language)}
<p>${t.rangeCheck}：${verdict(range.ok, t)}</p>
${problemList(range.problems, language)}
<h3>${t.anchors}</h3>
<ul><li>${t.anchorBefore}：${anchor(bundle.anchors.before)}</li>
<li>${t.anchorEnd}：${anchor(bundle.anchors.end)}</li>
<li>${t.chainHead}：${anchor(bundle.chainHead)}</li>
<li>${t.signedHead}：${signedHead(bundle.head, t)}</li></ul>
<p><small>${t.howTo}：${t.howToText}<br><code>${esc(bundle.hashRule)}</code><br><code>${esc(bundle.signatureRule)}</code></small></p>
${runs.length === 0 ? `<p>${t.none}</p>` : runs.map((run) => renderRun(run, t, language)).join('\n')}
</body></html>
`;
}

function signedHead(head: EvidenceBundle['head'], t: Labels): string {
  if (!head) return `<span class="bad">${t.signedHeadNone}</span>`;
  return (
    `${t.seq} ${head.seq}：<code>${esc(head.hash)}</code>（${esc(beijing(head.writtenAt))}，` +
    `${t.signedBy} <code>${esc(head.keyId)}</code>）<br><small><code>${esc(head.signature)}</code></small>`
  );
}

function verdict(ok: boolean, t: Labels): string {
  return ok ? `<span class="ok">${t.intact}</span>` : `<span class="bad">${t.broken}</span>`;
}

function problemList(
  problems: EvidenceBundle['verification']['chain']['problems'],
  language: Language,
): string {
  if (problems.length === 0) return '';
  const items = problems.map(
    (p) =>
      `<li>${labels[language].problemAt} ${p.seq}：${problemLabels[p.kind][language]} <small>${esc(p.problem)}</small></li>`,
  );
  return `<ul class="bad">${items.join('')}</ul>`;
}

interface Run {
  workflowId: string;
  records: AuditRecord[];
}

function groupByRun(records: AuditRecord[]): Run[] {
  const runs = new Map<string, Run>();
  for (const r of records) {
    let run = runs.get(r.workflow_id);
    if (!run) runs.set(r.workflow_id, (run = { workflowId: r.workflow_id, records: [] }));
    run.records.push(r);
  }
  return [...runs.values()];
}

function renderRun(run: Run, t: Labels, language: Language): string {
  const first = run.records[0];
  const started = run.records.find((r) => r.kind === 'run-started');
  const requester = started ? str(parse(started.payload).requester) : undefined;
  const runIds = [...new Set(run.records.map((r) => r.run_id).filter((id): id is string => !!id))];
  const parts = sections
    .map((s) => {
      const rows = run.records.filter((r) => r.kind === s.kind);
      if (rows.length === 0) return '';
      return `<h3>${s[language]}</h3>
<table><tr><th>${t.seq}</th><th>${t.time}</th><th>${t.who}</th><th>${t.subject}</th><th>${t.detail}</th></tr>
${rows.map((r) => `<tr><td>${r.seq}</td><td>${esc(beijing(r.recorded_at))}</td><td>${esc(r.actor)}</td><td>${esc(r.subject ?? '—')}</td><td>${details(r, t, language)}</td></tr>`).join('\n')}
</table>`;
    })
    .join('\n');
  return `<section class="run">
<h2>${esc(first?.runbook ?? '')} — <code>${esc(run.workflowId)}</code></h2>
<p>${requester ? `${t.requester}：${esc(requester)}` : ''}${
    runIds.length ? `<br><small>${t.runIds}：${runIds.map(esc).join('，')}</small>` : ''
  }</p>
${parts}
</section>`;
}

function details(r: AuditRecord, t: Labels, language: Language): string {
  const p = parse(r.payload);
  const line = (label: string, value: unknown) =>
    value === undefined || value === null || value === '' ? '' : `<div>${label}：${esc(String(value))}</div>`;
  const code = (label: string, value: unknown) =>
    value === undefined ? '' : `<div>${label}：<code>${esc(String(value))}</code></div>`;
  const json = (label: string, value: unknown) =>
    value === undefined
      ? ''
      : `<div>${label}：</div><pre>${esc(JSON.stringify(value, null, 2) ?? 'null')}</pre>`;
  switch (r.kind) {
    case 'run-started':
      return line(t.requester, p.requester) + code(t.inputDigest, p.inputDigest);
    case 'plan': {
      const plan = (p.plan ?? {}) as PlanLike;
      const known = plan.title !== undefined || Array.isArray(plan.actions);
      return (
        line(t.planTitle, bilingual(plan.title, language)) +
        (Array.isArray(plan.findings) && plan.findings.length
          ? `<div>${t.findings}：</div><ul>${plan.findings.map((f) => `<li>${esc(bilingual(f, language))}</li>`).join('')}</ul>`
          : '') +
        (Array.isArray(plan.actions) && plan.actions.length
          ? `<div>${t.actions}：</div><ol>${plan.actions
              .map(
                (a) =>
                  `<li>${esc(bilingual(a.description, language))} <small>${esc(String(a.target ?? ''))}</small><br><code>${esc(String(a.command ?? ''))}</code></li>`,
              )
              .join('')}</ol>`
          : '') +
        (known ? '' : json(t.detail, p.plan)) +
        code(t.planDigest, p.planDigest)
      );
    }
    case 'decision': {
      const user = p.displayName ? `${str(p.displayName)}（${str(p.user)}）` : p.user;
      const verdictText = p.verdict === 'approve' ? t.approve : p.verdict === 'reject' ? t.reject : p.verdict;
      return (
        line(t.who, user) +
        line(t.verdict, verdictText) +
        line(t.reason, p.reason) +
        line(t.time, typeof p.at === 'string' ? beijing(p.at) : undefined) +
        line(t.via, p.via) +
        code(t.planDigest, p.planDigest) +
        code(t.signedBy, p.keyId) +
        code(t.signature, p.signature)
      );
    }
    case 'mutation':
      return (
        line(t.action, p.action) +
        line(t.approvedBy, approvers(p.approvedBy)) +
        line(t.reason, p.reason) +
        json(t.before, p.before) +
        json(t.after, p.after) +
        code(t.planDigest, p.planDigest)
      );
    case 'bank-request':
      return line(t.action, p.action) + json(t.before, p.before) + json(t.after, p.after);
    case 'outcome':
      return json(t.result, p.result);
    case 'escalation':
      return Array.isArray(p.roles) ? line(t.roles, p.roles.map(String).join('、')) : json(t.detail, p);
    default:
      return json(t.detail, p);
  }
}

/** `user（role）` for each approver of a change (records written before roles were recorded: users only). */
function approvers(value: unknown): string | undefined {
  if (!Array.isArray(value)) return undefined;
  return value
    .map((a: unknown) =>
      typeof a === 'string'
        ? a
        : `${str((a as { user?: unknown }).user)}（${str((a as { role?: unknown }).role)}）`,
    )
    .join('、');
}

interface PlanLike {
  title?: unknown;
  findings?: unknown[];
  actions?: { description?: unknown; target?: unknown; command?: unknown }[];
}

function bilingual(value: unknown, language: Language): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && language in value)
    return String((value as Record<Language, unknown>)[language]);
  return value === undefined ? '' : JSON.stringify(value);
}

function parse(payload: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(payload);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : { value };
  } catch {
    // A payload altered into invalid JSON is still shown, as text; verification reports it.
    return { text: payload };
  }
}

function str(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

/** An ISO instant as Beijing wall-clock time, YYYY-MM-DD HH:mm:ss. */
function beijing(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
