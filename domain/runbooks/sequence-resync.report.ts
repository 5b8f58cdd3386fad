/**
 * Sequence resync's report (序列号重置报告) and the evidence lines its escalation shows: both
 * ends' numbers before and after, the judgement, earlier plans the channel's moves made stale,
 * the verification, then the last plan, every vote and the actions. Pure.
 */
import type { ApprovalPlan, Bilingual, GateOutcome } from '../approvals/gate-types.ts';
import { runbookReportMarkdown, type ReportRun, type ReportSection } from '../reports/runbook-report.ts';
import type {
  SequenceAction,
  SequenceResyncOutcome,
  SequenceResyncResult,
  SequenceState,
} from './sequence-resync.types.ts';

export const sequenceResyncOutcomeLabel: Record<SequenceResyncOutcome, string> = {
  resynced: '序列号已重置，通道恢复运行',
  realigned: '报文序号已调整',
  'nothing-to-do': '两端一致，无需处理',
  'unexpected-state': '状态异常，已停止并留存证据',
  planned: '仅生成计划（演练）',
  rejected: '审批驳回',
  expired: '审批超时',
  'not-verified': '已执行，但验证未通过',
};

/** How a run ended: its outcome and why, and the readings it took. */
export interface SequenceResyncEnd {
  outcome: SequenceResyncOutcome;
  why: Bilingual;
  verification?: { ok: boolean; checks: number; detail: string };
  channel?: { first: SequenceState; last: SequenceState };
  serials?: SequenceResyncResult['serials'];
}

/** What a run did on its way: every plan shown (the last one is the plan), the approvals, the actions. */
export interface SequenceResyncSteps {
  plans: { step: string; plan: ApprovalPlan; planDigest: string }[];
  approvals: GateOutcome[];
  actions: SequenceAction[];
}

/** The last readings: the channel's two ends, or finance's and the bank's serials. */
export function evidenceLines(e: SequenceResyncEnd): string[] {
  const s = e.channel?.last;
  if (s) {
    const r = s.receiver.readable ? `LSTSEQNO ${s.receiver.end.lastSeq}` : `无法读取（${s.receiver.detail}）`;
    return [
      `发送端 ${s.qmgr} ${s.channel}：${s.sender.status}，LSTSEQNO ${s.sender.lastSeq ?? '未知'}，CURSEQNO ${s.sender.currentSeq ?? '未知'}，INDOUBT ${s.sender.indoubt ? 'YES' : 'NO'}`,
      `接收端 ${s.bankQmgr}：${r}`,
      `传输队列 ${s.xmitq} 深度 ${s.xmitqDepth}`,
    ];
  }
  const before = e.serials?.before;
  if (!before) return [];
  return [
    `财政端最后发出序号 ${before.financeOut}，未答复报文 ${before.inFlight} 笔`,
    ...(e.serials?.bank ? [`银行最后接受序号 ${e.serials.bank.lastSerialAccepted}`] : []),
  ];
}

export function sequenceResyncReport(
  run: ReportRun,
  about: { bankName: string; subject: string },
  e: SequenceResyncEnd,
  steps: SequenceResyncSteps,
): string {
  const last = steps.plans.at(-1);
  return runbookReportMarkdown(run, {
    title: `序列号重置报告 — ${about.bankName} ${about.subject}`,
    outcome: sequenceResyncOutcomeLabel[e.outcome],
    outcomeCode: e.outcome,
    sections: sections(e, steps),
    ...(last && { plan: last.plan, planDigest: last.planDigest }),
    votes: steps.approvals.flatMap((a) => a.votes),
    actions: steps.actions,
  });
}

function sections(e: SequenceResyncEnd, steps: SequenceResyncSteps): ReportSection[] {
  const out: ReportSection[] = [];
  if (e.channel) {
    out.push({
      heading: '处理前读数',
      lines: evidenceLines({ ...e, channel: { ...e.channel, last: e.channel.first } }),
    });
  } else if (e.serials) {
    out.push({ heading: '处理前读数', lines: evidenceLines(e) });
  }
  out.push({ heading: '判断', lines: [e.why.zh] });
  for (const p of steps.plans.slice(0, -1)) {
    out.push({
      heading: `先前计划（${p.step}）`,
      lines: [`计划摘要 ${p.planDigest}`, ...p.plan.actions.map((a) => `${a.target}：${a.command}`)],
    });
  }
  if (e.verification)
    out.push({ heading: '验证', lines: [`${e.verification.detail}（检查 ${e.verification.checks} 次）`] });
  if (e.channel && e.channel.last !== e.channel.first)
    out.push({ heading: '处理后读数', lines: evidenceLines(e) });
  if (e.serials?.after)
    out.push({
      heading: '处理后读数',
      lines: [
        `财政端最后发出序号 ${e.serials.after.financeOut}`,
        ...(e.serials.bankAfter ? [`银行最后接受序号 ${e.serials.bankAfter.lastSerialAccepted}`] : []),
      ],
    });
  return out;
}
