/**
 * The daily inspection's report (日常巡检报告) in Chinese: a traffic light per bank and per check,
 * the findings with the runbook that fixes each, the follow-ups started, and per bank the figures
 * behind the lights (明细: channel ends, depths, reachability, programs, traffic). Pure.
 */
import { lightLabel } from '../reports/lights.ts';
import { reportTime, sectionMarkdown } from '../reports/runbook-report.ts';
import {
  bullets,
  code,
  document,
  heading,
  inline,
  paragraph,
  table,
  type Inline,
} from '../reports/markdown.ts';
import { runbookCatalog } from './catalog.ts';
import { subsystemSections } from './subsystem-health.report.ts';
import type {
  BankInspection,
  DailyInspectionResult,
  InspectionCheck,
  InspectionSkip,
  StartedFollowUp,
  TrafficKind,
} from './daily-inspection.types.ts';

export type InspectionSummary = Omit<DailyInspectionResult, 'report'>;

/** What the report activity writes: `reports/daily-inspection/<date>/<workflow id>.md` and `.html`. */
export interface InspectionReportFile {
  date: string;
  workflowId: string;
  markdown: string;
}

export const checkLabel: Record<InspectionCheck, string> = {
  channels: '通道状态',
  queues: '传输队列/死信队列',
  frontEnd: '前置机连通性',
  programs: '收发程序',
  traffic: '当日业务量',
};

const skipLabel: Record<InspectionSkip, string> = { ...checkLabel, subsystems: '子系统' };

const trafficLabel: Record<TrafficKind, string> = {
  direct_payment: '直接支付凭证（发送）',
  authorized_payment: '授权支付凭证（发送）',
  quota_notice: '额度通知单（发送）',
  receipt: '回单（接收）',
  daily_report: '日报（接收）',
  payment_list: '清单（接收）',
  recon_file: '对账文件（接收）',
};

/** Kinds due the business day after: shown with the day they are about. */
const reportKinds: readonly TrafficKind[] = ['daily_report', 'payment_list', 'recon_file'];

const checks = Object.keys(checkLabel) as InspectionCheck[];

export function dailyInspectionReport(s: InspectionSummary, timeZone: string): string {
  const found =
    s.findings.length + s.siteFindings.length + (s.subsystems?.flatMap((h) => h.findings).length ?? 0);
  return document([
    heading(1, `日常巡检报告 — ${s.site}`),
    bullets([
      `巡检日期：${s.date}`,
      `总体状态：${lightLabel[s.light]}`,
      `开始/结束：${reportTime(s.startedAt, timeZone)} / ${reportTime(s.finishedAt, timeZone)}`,
      inline('工作流：', code(s.workflowId)),
      `发现问题：${found} 项`,
      ...(s.skipped.length ? [`跳过的检查：${s.skipped.map((c) => skipLabel[c]).join('、')}`] : []),
    ]),
    ...(s.siteFindings.length
      ? [
          heading(2, '全局问题'),
          table(
            ['级别', '问题', '处置'],
            s.siteFindings.map((f) => [lightLabel[f.light], f.summary, f.action]),
          ),
        ]
      : []),
    heading(2, '各银行状态'),
    table(
      ['银行', '总体', ...checks.map((c) => checkLabel[c])],
      s.banks.map((b) => [
        `${b.bankName}（${b.bank}）`,
        lightLabel[b.light],
        ...checks.map((c) => checkCell(b, c)),
      ]),
    ),
    heading(2, '发现的问题及处置建议'),
    s.findings.length === 0
      ? paragraph('未发现问题。')
      : table(
          ['银行', '检查项', '级别', '问题', '处置 Runbook'],
          s.findings.map((f) => [
            f.bank,
            checkLabel[f.check],
            lightLabel[f.light],
            f.summary,
            inline(`${runbookCatalog[f.fixRunbook].zh}（`, code(f.fixRunbook), '）'),
          ]),
        ),
    ...(s.followUps.length
      ? [heading(2, '已按策略启动的处置 Runbook'), bullets(s.followUps.map(followUpLine))]
      : []),
    ...(s.subsystems ? subsystemSections(s.subsystems, timeZone).map(sectionMarkdown) : []),
    heading(2, '明细'),
    ...s.banks.map(bankDetail),
  ]);
}

function checkCell(b: BankInspection, c: InspectionCheck): string {
  const r = b.checks[c];
  if (!r) return '—';
  return `${lightLabel[r.light]}${r.error ? `（检查失败：${r.error}）` : ''}`;
}

function followUpLine(f: StartedFollowUp): Inline {
  const state = f.status === 'started' ? '已启动' : '已在运行';
  return inline(`${f.bank}：${runbookCatalog[f.runbook].zh}（`, code(f.workflowId), `）— ${state}`);
}

/** One bank's figures behind its lights. */
function bankDetail(b: BankInspection): string {
  const lines: string[] = [];
  const c = b.channels;
  for (const end of c ? [c.sender, c.receiver, c.bankSender, c.bankReceiver] : []) {
    if (!end) continue;
    const seq = end.lastSeq === undefined ? '' : `，序列号 ${end.lastSeq}`;
    lines.push(
      `通道 ${end.channel}（${end.qmgr}，${end.chltype}）：${end.status}${seq}${end.indoubt ? '，存在未决批次' : ''}`,
    );
  }
  if (b.queues) {
    lines.push(`传输队列 ${b.queues.xmitq.queue} 深度：${b.queues.xmitq.depth}`);
    const dlq = b.queues.deadLetter;
    if (dlq) lines.push(`死信队列 ${dlq.queue}（${dlq.qmgr}）深度：${dlq.depth}`);
  }
  if (b.frontEnd)
    lines.push(`前置机（${b.frontEnd.method === 'ping' ? 'PING CHANNEL' : 'TCP'}）：${b.frontEnd.detail}`);
  for (const p of b.programs?.programs ?? [])
    lines.push(`收发程序 ${p.name}：${p.running ? '运行中' : '未运行'}（${p.detail}）`);
  const t = b.traffic;
  return [
    heading(3, `${b.bankName}（${b.bank}）`),
    ...(lines.length ? [bullets(lines)] : []),
    ...(t
      ? [
          table(
            ['业务类型', '应有', '实有'],
            t.lines.map((l) => [
              `${trafficLabel[l.kind]}${reportKinds.includes(l.kind) ? `（${t.reportDate}）` : ''}`,
              String(l.expected),
              `${l.actual}${l.actual !== l.expected ? ' ⚠' : ''}`,
            ]),
            ['left', 'right', 'right'],
          ),
          ...(t.unsentBacklog > 0 ? [paragraph(`超时未发送：${t.unsentBacklog} 笔`)] : []),
        ]
      : []),
    ...(lines.length || t ? [] : [paragraph('未取得明细（检查被跳过或失败）。')]),
  ].join('\n\n');
}
