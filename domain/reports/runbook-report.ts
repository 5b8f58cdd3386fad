/**
 * The report every runbook leaves (DESIGN.md §2, "Evidence"), as a Markdown document in Chinese:
 * the outcome, the runbook's own sections (what it found, judged and verified), the plan with its
 * digest, vouchers and totals, who decided, and each action with what the system answered. Each
 * runbook's wording is in domain/runbooks/<runbook>.report.ts; this is the frame they share. The
 * report activity writes the Markdown and renders its HTML page. Pure.
 */
import type { ApprovalPlan, ApprovalVote, PlanAction } from '../approvals/gate-types.ts';
import { planVoucherTotals } from '../approvals/gate-types.ts';
import type { HandRecord } from '../approvals/hand-decision.ts';
import { formatFen, formatInstant, maskAccount, maskName, rowText } from '../display.ts';
import {
  bullets,
  bulletWithCode,
  code,
  document,
  heading,
  inline,
  paragraph,
  strong,
  table,
  type Align,
  type Inline,
} from './markdown.ts';
import { handMarkdown } from './hand-section.ts';

/** The run a report is about. */
export interface ReportRun {
  workflowId: string;
  requestedBy: string;
  startedAt: string;
  finishedAt: string;
  /** The site's time zone: every instant in the report is shown in it. */
  timeZone: string;
  /** The steps that paused and what the operators decided (none: nothing paused). */
  hand?: HandRecord[];
}

export interface ReportTable {
  head: string[];
  rows: Inline[][];
  align?: Align[];
}

/** A runbook's own section: lines of text, a table, or both (the table after the lines). */
export interface ReportSection {
  heading: string;
  lines?: Inline[];
  table?: ReportTable;
  /** Shown instead when there are neither lines nor rows. */
  empty?: string;
}

/** One thing the run did, and what the system answered. */
export interface ReportAction {
  command: string;
  target: string;
  detail: string;
  at: string;
}

export interface RunbookReport {
  title: string;
  /** The outcome in Chinese, e.g. 已恢复. */
  outcome: string;
  /** Machine-readable outcome, e.g. recovered. */
  outcomeCode: string;
  sections: ReportSection[];
  plan?: ApprovalPlan;
  planDigest?: string;
  votes?: ApprovalVote[];
  actions?: ReportAction[];
}

/** What the report activity writes: `reports/<runbook>/<day the run started>/<workflow id>.md` and `.html`. */
export interface RunbookReportFile {
  runbook: string;
  workflowId: string;
  startedAt: string;
  markdown: string;
}

const verdictLabel = { approve: '同意', reject: '驳回' } as const;
const viaLabel = { inbox: '审批页面', cli: '命令行' } as const;

/** `2026-11-27 14:30:05` in the site's zone (seconds are the same in every zone China has used). */
export function reportTime(iso: string, timeZone: string): string {
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) return iso;
  return `${formatInstant(iso, timeZone)}:${String(instant.getUTCSeconds()).padStart(2, '0')}`;
}

export function runbookReportMarkdown(run: ReportRun, r: RunbookReport): string {
  return document([
    heading(1, r.title),
    bullets([
      inline('结果：', strong(r.outcome), `（${r.outcomeCode}）`),
      inline('工作流：', code(run.workflowId)),
      `发起人：${run.requestedBy}`,
      `开始/结束：${reportTime(run.startedAt, run.timeZone)} / ${reportTime(run.finishedAt, run.timeZone)}`,
    ]),
    ...r.sections.map(sectionMarkdown),
    ...(run.hand?.length ? [handMarkdown(run.hand, (at) => reportTime(at, run.timeZone))] : []),
    ...(r.plan ? [planMarkdown(r.plan, r.planDigest)] : []),
    ...(r.votes?.length ? [votesMarkdown(r.votes, run.timeZone)] : []),
    ...(r.actions?.length ? [actionsMarkdown(r.actions, run.timeZone)] : []),
  ]);
}

/** A section under its `##` heading (a runbook's own, or a section another report shares). */
export function sectionMarkdown(s: ReportSection): string {
  const lines = s.lines ?? [];
  const rows = s.table?.rows ?? [];
  const blocks = [heading(2, s.heading)];
  if (lines.length) blocks.push(bullets(lines));
  if (s.table && rows.length) blocks.push(table(s.table.head, rows, s.table.align));
  if (!lines.length && !rows.length && s.empty) blocks.push(paragraph(s.empty));
  return blocks.join('\n\n');
}

function planMarkdown(plan: ApprovalPlan, digest: string | undefined): string {
  const totals = planVoucherTotals(plan);
  const blocks = [
    heading(2, '执行计划'),
    bullets([
      `计划：${plan.title.zh}`,
      ...(digest ? [inline('计划摘要（SHA-256）：', code(digest))] : []),
      ...(totals.count
        ? [
            `涉及凭证 ${totals.count} 张，合计 ${formatFen(totals.amountFen)}${totals.listed < totals.count ? `（下列前 ${totals.listed} 张）` : ''}`,
          ]
        : []),
      ...(plan.voucherTotals ? [inline('凭证清单摘要：', code(plan.voucherTotals.listDigest))] : []),
      ...(plan.lists ?? []).map((l) =>
        inline(
          `清单 ${l.name}：${l.count} 项${l.totalFen === undefined ? '' : `，合计 ${formatFen(l.totalFen)}`}，摘要 `,
          code(l.digest),
        ),
      ),
    ]),
  ];
  if (plan.findings.length) blocks.push(heading(3, '计划依据'), bullets(plan.findings.map((f) => f.zh)));
  blocks.push(heading(3, '计划操作'), plan.actions.map(actionItem).join('\n').trimEnd());
  if (plan.rows?.length)
    blocks.push(
      heading(3, '计划修改的数据行'),
      table(
        ['表', '主键', '修改前', '修改后（其余字段不变）'],
        plan.rows.map((r) => [r.table, r.key, rowText(r.before), rowText(r.after)]),
      ),
    );
  if (plan.vouchers?.length) {
    blocks.push(
      heading(3, '计划涉及的凭证'),
      table(
        ['凭证号', '金额', '收款人', '收款账号'],
        plan.vouchers.map((v) => [
          v.voucherNo,
          formatFen(v.amountFen),
          maskName(v.payeeName) || '—',
          maskAccount(v.payeeAccount) || '—',
        ]),
        ['left', 'right'],
      ),
    );
  }
  return blocks.join('\n\n');
}

/** An action: its command inline when it is one line, as a code block under it when it is several. */
function actionItem(a: PlanAction): string {
  const what = `${a.description.zh}（${a.target}）`;
  return a.command.includes('\n')
    ? `${bulletWithCode(`${what}：`, a.command)}\n`
    : bullets([inline(`${what}：`, code(a.command))]);
}

function votesMarkdown(votes: ApprovalVote[], timeZone: string): string {
  return [
    heading(2, '审批'),
    table(
      ['审批人', '决定', '意见', '时间', '渠道'],
      votes.map((v) => [
        `${v.displayName}（${v.user}）`,
        verdictLabel[v.verdict],
        v.reason ?? '',
        reportTime(v.at, timeZone),
        viaLabel[v.via],
      ]),
    ),
  ].join('\n\n');
}

function actionsMarkdown(actions: ReportAction[], timeZone: string): string {
  return [
    heading(2, '执行记录'),
    table(
      ['时间', '对象', '命令', '返回'],
      actions.map((a) => [reportTime(a.at, timeZone), a.target, code(a.command), a.detail]),
    ),
  ].join('\n\n');
}
