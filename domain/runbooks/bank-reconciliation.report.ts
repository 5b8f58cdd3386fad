/**
 * The bank reconciliation report (银行对账报告): per business day the totals on both sides and the
 * statement's own, the result and the reply sent, a link to the day's difference file (CSV, UTF-8
 * with BOM), the differences the run kept (finance's vouchers with their payees masked), what a
 * re-reconciliation discarded and what changed since, what was asked of the bank, and the fixes:
 * receipts registered, runbooks started. Pure.
 */
import type { ApprovalPlan, ApprovalVote } from '../approvals/gate-types.ts';
import type { MutationResult, VoucherSnapshot } from '../bank-checks/types.ts';
import { formatFen } from '../display.ts';
import { causes } from '../reconciliation/classify.ts';
import type { Totals } from '../reconciliation/batches.ts';
import type { Difference, SideLine } from '../reconciliation/compare.ts';
import { statusLabels, typeLabels } from '../reconciliation/difference-csv.ts';
import { code, inline } from '../reports/markdown.ts';
import { runbookReportMarkdown, type ReportRun, type ReportSection } from '../reports/runbook-report.ts';
import { runbookCatalog } from './catalog.ts';
import type {
  BankReconciliationOutcome,
  BankReconciliationResult,
  DayReconciliation,
} from './bank-reconciliation.types.ts';

export const bankReconciliationOutcomeLabel: Record<BankReconciliationOutcome, string> = {
  agreed: '对账一致',
  differs: '对账不符，差异已列出',
  'fixes-applied': '已按审批处理可处理的差异',
  incomplete: '对账单缺失或无法读取',
  planned: '仅出方案（演练），未执行',
  rejected: '处理方案被驳回',
  expired: '审批超时',
  'unexpected-state': '执行中记录已变化，已停止',
  'not-verified': '处理后复核未通过',
};

const dayLabels: Record<DayReconciliation['outcome'], string> = {
  agreed: '一致',
  differs: '不符',
  unreadable: '对账单无法读取',
  'statement-missing': '对账单未到',
  'not-a-working-day': '非工作日',
};

export const kindLabels = {
  'payment-detail': '支付明细对账',
  payment: '支付对账',
  quota: '额度对账',
} as const;

export type BankReconciliationReportFacts = Pick<
  BankReconciliationResult,
  'outcome' | 'why' | 'days' | 'vouchers' | 'receipts' | 'started' | 'results'
> & {
  bankName: string;
  input: { kind: keyof typeof kindLabels; again: boolean; reason?: string; dryRun: boolean };
  plan?: ApprovalPlan;
  planDigest?: string;
  votes: ApprovalVote[];
};

const totals = (t: Totals | undefined) => (t ? `${t.count} 笔 ${formatFen(t.amountFen)}` : '—');
const amounts = (s: SideLine | undefined) => s?.amounts.map(formatFen).join(' / ') ?? '—';

/** The CSV's path from the report's folder (both lie under reports/bank-reconciliation/), to open or download. */
const besideReport = (path: string) => `../${path.slice(path.lastIndexOf('/bank-reconciliation/') + 21)}`;

export function bankReconciliationReport(run: ReportRun, r: BankReconciliationReportFacts): string {
  return runbookReportMarkdown(run, {
    title: `${r.input.again ? '重新对账' : '银行对账'}报告：${r.bankName} ${kindLabels[r.input.kind]}`,
    outcome: bankReconciliationOutcomeLabel[r.outcome],
    outcomeCode: r.outcome,
    sections: [
      { heading: '结论', lines: [r.why, ...(r.input.reason ? [`发起原因：${r.input.reason}`] : [])] },
      daysSection(r.days),
      differencesSection(r.days, r.vouchers),
      ...r.days.flatMap(sinceLastSection),
      requestsSection(r.days),
      fixesSection(r),
    ],
    ...(r.plan && { plan: r.plan, planDigest: r.planDigest }),
    votes: r.votes,
  });
}

function daysSection(days: DayReconciliation[]): ReportSection {
  return {
    heading: '各业务日对账结果',
    table: {
      head: ['业务日', '结果', '财政', '银行', '对账单声明', '差异', '回复银行', '差异文件（CSV）'],
      rows: days.map((d) => {
        const c = d.compared;
        const declared = c?.statement?.declared;
        return [
          d.date,
          d.outcome === 'unreadable' || d.outcome === 'statement-missing'
            ? `${dayLabels[d.outcome]}：${d.why}`
            : dayLabels[d.outcome],
          totals(c?.totals.finance),
          totals(c?.totals.bank),
          declared ? `${totals(declared)}${c?.statementTotalsAgree ? '' : '（与明细不符）'}` : '—',
          c ? String(c.differences) : '—',
          d.reply
            ? inline(
                `XCheckResult ${c?.differences ? 1 : 0}，XDiffNum ${c?.differences ?? 0}：`,
                code(d.reply),
              )
            : '—',
          c ? code(besideReport(c.differenceFile)) : '—',
        ];
      }),
    },
  };
}

function differencesSection(days: DayReconciliation[], vouchers: VoucherSnapshot[]): ReportSection {
  const payee = new Map(vouchers.map((v) => [v.voucherNo, `${v.payeeName} ${v.payeeAccount}`]));
  const rows = days.flatMap((d) => (d.compared?.sample ?? []).map((x: Difference) => [d, x] as const));
  const listedAll = days.every((d) => (d.compared?.sample.length ?? 0) === (d.compared?.differences ?? 0));
  return {
    heading: listedAll ? '差异明细' : '差异明细（前若干笔，全部见差异文件）',
    empty: '无差异。',
    table: {
      head: [
        '业务日',
        '类型',
        '凭证号/单位',
        '财政金额',
        '银行金额',
        '财政状态',
        '银行状态',
        '收款人',
        '可能原因',
        '处理',
      ],
      rows: rows.map(([d, x]) => [
        d.date,
        `${typeLabels[x.type]}${x.side ? `（${x.side === 'bank' ? '银行' : '财政'}）` : ''}`,
        x.voucherNo || `${x.budgetUnit} ${x.subject}`,
        amounts(x.finance),
        amounts(x.bank),
        x.finance ? statusLabels[x.finance.status] : '—',
        x.bank ? statusLabels[x.bank.status] : '—',
        payee.get(x.voucherNo) ?? '—',
        causes[x.cause],
        x.fix ? runbookCatalog[x.fix].zh : '人工处理',
      ]),
    },
  };
}

function sinceLastSection(d: DayReconciliation): ReportSection[] {
  const s = d.sinceLast;
  if (!s) return [];
  const p = s.previous;
  const more = (n: number) => (n ? `，另有 ${n} 笔` : '');
  return [
    {
      heading: `${d.date} 重新对账：作废的原结果与变化`,
      lines: [
        `原结果（${p.workflowId}，${p.reconciledAt}）：${p.result}，差异 ${p.diffNum} 笔；财政 ${totals(p.finance)}，银行 ${totals(p.bank)}；已作废，原结果保存在审计记录中`,
        `本次：${d.why}`,
        `已消除的差异 ${s.settled.length} 笔${more(s.settledMore)}：${s.settled.join('；') || '无'}`,
        `新出现的差异 ${s.appeared.length} 笔${more(s.appearedMore)}：${s.appeared.join('；') || '无'}`,
      ],
    },
  ];
}

function requestsSection(days: DayReconciliation[]): ReportSection {
  return {
    heading: '向银行索取对账单',
    empty: '未向银行索取。',
    lines: days.flatMap((d) =>
      d.requested.map((q) =>
        inline(
          `${d.date}：${q.packages ? `补发第 ${q.packages.join('、')} 包` : '重新发送对账单'}，请求 `,
          code(q.id),
        ),
      ),
    ),
  };
}

function fixesSection(r: BankReconciliationReportFacts): ReportSection {
  const done = (m: MutationResult) => (m.alreadyDone ? '（已是目标状态）' : '');
  return {
    heading: '处理',
    empty: '无可自动处理的差异。',
    lines: [
      ...r.receipts.map(
        (x) =>
          `回单 ${x.receiptNo} → 凭证 ${x.voucherNo}（${formatFen(x.amountFen)}，${x.voucher.payeeName} ${x.voucher.payeeAccount}）：银行对账单显示已支付`,
      ),
      ...r.results.map((m) => `已执行：${m.statements.length} 条语句${done(m)}`),
      ...r.started.map((s) =>
        inline(
          `${s.status === 'started' ? '已启动' : '已在运行'}「${runbookCatalog[s.runbook].zh}」（${s.differences} 笔差异）：`,
          code(s.workflowId),
        ),
      ),
    ],
  };
}
