/**
 * Adding an agent bank's report (新增代理银行报告): the bank and how ready both sides were, the
 * base data sent, the test message both ways, the registration and which workers see it, then
 * the plan, the votes and the actions. Pure.
 */
import {
  reportTime,
  runbookReportMarkdown,
  type ReportRun,
  type ReportSection,
} from '../reports/runbook-report.ts';
import type { AddAgentBankOutcome, AddAgentBankResult, NewBank } from './add-agent-bank.types.ts';

export const addAgentBankOutcomeLabel: Record<AddAgentBankOutcome, string> = {
  added: '已新增并验证',
  planned: '仅生成计划（演练）',
  rejected: '审批驳回',
  expired: '审批超时',
  'not-ready': '银行端尚未就绪，未做任何变更',
  conflict: '财政端已有冲突对象，未做任何变更',
  'not-verified': '已执行，但验证未通过',
  'plan-unstable': '执行前复核时计划反复变化，已停止',
};

/** The run's result as far as it is known, the new bank's definition and the workers that see it. */
export type AddAgentBankReportFacts = Omit<
  AddAgentBankResult,
  'runbook' | 'workflowId' | 'bank' | 'report'
> & {
  bank: NewBank;
  seenBy: string[];
};

const objectState = {
  absent: '不存在（将定义）',
  same: '已存在且一致',
  different: '已存在但定义不同',
} as const;

export function addAgentBankReport(run: ReportRun, r: AddAgentBankReportFacts): string {
  return runbookReportMarkdown(run, {
    title: `新增代理银行报告 — ${r.bank.name}（${r.bank.code}）`,
    outcome: addAgentBankOutcomeLabel[r.outcome],
    outcomeCode: r.outcome,
    sections: sections(r, run.timeZone),
    ...(r.plan && { plan: r.plan, planDigest: r.planDigest }),
    ...(r.approval && { votes: r.approval.votes }),
    // A multi-line command (a file's content) is in the plan whole; the record shows its first line.
    actions: r.actions.map((a) => ({ ...a, command: a.command.split('\n')[0] ?? a.command })),
  });
}

function sections(r: AddAgentBankReportFacts, timeZone: string): ReportSection[] {
  const { bank, survey: sv } = r;
  const at = (iso: string | null) => (iso ? reportTime(iso, timeZone) : '—');
  const out: ReportSection[] = [
    {
      heading: '银行与准备情况',
      lines: [
        `${bank.name}（${bank.code}）：前置机 ${bank.frontEnd.host}:${bank.frontEnd.port}，队列管理器 ${bank.qmgr}，通道 ${bank.senderChannel} / ${bank.receiverChannel}`,
        `银行前置机：${sv.frontEnd.detail}`,
        sv.bankSide.access
          ? sv.bankSide.reachable
            ? `银行端通道：接收 ${bank.senderChannel} ${sv.bankSide.receiverDefined ? '已定义' : '未定义'}，发送 ${bank.receiverChannel} ${sv.bankSide.senderDefined ? '已定义' : '未定义'}`
            : `银行队列管理器不可访问：${sv.bankSide.detail}`
          : '银行端通道：无权访问，未核对',
        ...sv.programs.programs.map(
          (p) => `收发程序 ${p.name}：${p.running ? '运行中' : '未运行'}（${p.detail}）`,
        ),
        ...sv.objects.map(
          (o) =>
            `${sv.financeQmgr} 上 ${o.name}：${objectState[o.state]}${o.differences.length ? `（${o.differences.join('；')}）` : ''}`,
        ),
        `判断：${r.why.join('；')}`,
      ],
    },
  ];
  if (r.baseData) {
    out.push({
      heading: '基础资料下发',
      lines: r.baseData.map(
        (p) =>
          `${p.kind} v${p.version}：${p.status}（银行已确认版本 ${p.acked}）${p.reason ? `，${p.reason}` : ''}`,
      ),
      empty: '银行此前已确认当前版本，无需下发',
    });
  }
  const t = r.testMessage;
  if (t) {
    out.push({
      heading: '测试报文（双向）',
      lines: [
        `状态查询 ${t.voucherNo}：${t.status}，应答 ${at(t.answer?.answeredAt ?? null)}`,
        ...(t.answer
          ? [
              `银行应答：${t.answer.known ? '认得该凭证（异常）' : '无此凭证（预期）'}，已接收报文序号 ${t.answer.lastSerialAccepted ?? '—'}`,
            ]
          : []),
        ...(r.channels
          ? [
              `通道：${bank.senderChannel} ${r.channels.sender}，${bank.receiverChannel} ${r.channels.receiver}`,
            ]
          : []),
      ],
    });
  }
  if (r.registered) {
    out.push({
      heading: '登记与验证',
      lines: [
        `已写入 ${r.registered.file}${r.registered.alreadyDone ? '（内容已一致）' : ''}`,
        `看到该行的工作进程：${r.seenBy.join('、') || '无'}`,
      ],
    });
  }
  return out;
}
