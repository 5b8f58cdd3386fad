/**
 * What bank reconciliation judges, pure: a day's outcome from its comparison or the statement's
 * own fault, the standing result it leaves, the plan of the only fixes it may offer — registering
 * a receipt the bank's paid line proves (the guarded SQL of the receipt repair) and starting the
 * runbook that owns a class of differences — and how the whole run ended. It never marks a voucher
 * paid the bank does not show paid (a receipt is registered only for a status difference where the
 * statement shows the voucher paid, and only when the receipt's amount is the voucher's) and never
 * edits an amount.
 */
import type { ApprovalPlan, Bilingual, PlanAction } from '../approvals/gate-types.ts';
import { financePlan, type PlannedChange } from '../bank-checks/finance-plan.ts';
import { formatFen } from '../display.ts';
import type { StatementProblem } from '../reconciliation/statement-error.ts';
import { runbookCatalog } from './catalog.ts';
import type {
  BankReconciliationOutcome,
  ComparedDay,
  DayReconciliation,
  ProvenReceipt,
  RunbookToStart,
  StandingResult,
  StatementFault,
} from './bank-reconciliation.types.ts';

export const problemLabels: Record<StatementProblem, string> = {
  encoding: '对账单编码损坏',
  truncated: '对账单文件被截断',
  incomplete: '对账单缺包',
  malformed: '对账单格式错误',
  inconsistent: '对账单各包不一致',
};

/** A statement the bank may send whole when asked again: a transfer cut it short or lost a package. */
export const askAgainFor = (f: StatementFault) => f.problem === 'truncated' || f.problem === 'incomplete';

export function faultWhy(f: StatementFault): string {
  return `${problemLabels[f.problem]}（${f.source}${f.lineNo === undefined ? '' : ` 第 ${f.lineNo} 行`}），未比对：${f.message}`;
}

/** A compared day: agreed, or the differences and the statement's own totals when they disagree with its lines. */
export function judgeCompared(c: ComparedDay): Pick<DayReconciliation, 'outcome' | 'why'> {
  const own = c.statementTotalsAgree ? '' : '；对账单声明的总笔数/总金额与明细不符';
  if (c.differences === 0 && c.statementTotalsAgree)
    return {
      outcome: 'agreed',
      why: `双方一致：${c.totals.bank.count} 笔，${formatFen(c.totals.bank.amountFen)}`,
    };
  return {
    outcome: 'differs',
    why: `差异 ${c.differences} 笔（财政 ${c.totals.finance.count} 笔 ${formatFen(c.totals.finance.amountFen)}，银行 ${c.totals.bank.count} 笔 ${formatFen(c.totals.bank.amountFen)}）${own}`,
  };
}

/** The standing result a compared or unreadable day leaves (none for a missing statement). */
export function standingOf(
  day: DayReconciliation,
  run: { workflowId: string; at: string },
): StandingResult | undefined {
  const c = day.compared;
  if (day.outcome !== 'agreed' && day.outcome !== 'differs' && day.outcome !== 'unreadable') return undefined;
  return {
    result: day.outcome,
    diffNum: c?.differences ?? 0,
    statementNo: c?.statement?.header.statementNo ?? null,
    bank: c?.totals.bank ?? { count: 0, amountFen: 0 },
    finance: c?.totals.finance ?? { count: 0, amountFen: 0 },
    problem: day.fault ? faultWhy(day.fault).slice(0, 500) : null,
    workflowId: run.workflowId,
    reconciledAt: run.at,
  };
}

/** What the runbook's plan action says of starting a runbook, and the action itself. */
export function startAction(s: RunbookToStart): PlanAction {
  const title = runbookCatalog[s.runbook];
  return {
    kind: 'runbook',
    target: s.runbook,
    command: `start ${s.workflowType} ${s.workflowId} ${JSON.stringify(s.input)}`,
    description: {
      zh: `启动「${title.zh}」处理 ${s.differences} 笔差异（该 runbook 自行诊断，并在其自己的审批后才处理）`,
      en: `Start ${title.en} for ${s.differences} differences (it diagnoses and asks its own approval before it acts)`,
    },
  };
}

/** The fixes offered, for approval: receipts to register (their guarded SQL), runbooks to start. */
export function fixesPlan(options: {
  bank: { code: string; name: string };
  receipts: PlannedChange[];
  starts: RunbookToStart[];
  findings: Bilingual[];
}): ApprovalPlan {
  const { bank, receipts, starts } = options;
  const plan = financePlan({
    runbook: 'bank-reconciliation',
    title: {
      zh: `${bank.name}对账差异处理：登记回单 ${receipts.length} 张，启动 runbook ${starts.length} 个`,
      en: `${bank.code} reconciliation fixes: ${receipts.length} receipts to register, ${starts.length} runbooks to start`,
    },
    bank,
    findings: options.findings,
    changes: receipts,
  });
  return { ...plan, actions: [...plan.actions, ...starts.map(startAction)] };
}

/** Plan findings: what the days showed, and what the plan leaves for a person. */
export function fixFindings(
  days: DayReconciliation[],
  receipts: ProvenReceipt[],
  leftForAPerson: number,
): Bilingual[] {
  const differing = days.filter((d) => d.outcome === 'differs');
  const total = differing.reduce((n, d) => n + (d.compared?.differences ?? 0), 0);
  return [
    {
      zh: `${differing.length} 个业务日对账不符，共 ${total} 笔差异（明细见报告及差异文件）`,
      en: `${differing.length} business days differ, ${total} differences in all (see the report and the difference file)`,
    },
    ...(receipts.length > 0
      ? [
          {
            zh: `${receipts.length} 笔凭证银行对账单显示已支付、金额相符，其回单已到未登记：登记回单并置为已支付`,
            en: `${receipts.length} vouchers the statement shows paid, amounts equal, whose receipts arrived unregistered: register them`,
          },
        ]
      : []),
    ...(leftForAPerson > 0
      ? [
          {
            zh: `另有 ${leftForAPerson} 笔差异不在本计划内：金额不符、重复、银行有财政无等需人工核查（本 runbook 不修改任何金额）；退款与凭证重发共用同一凭证锁，退款差异待重发结束后再次对账时处理`,
            en: `${leftForAPerson} more differences are not in this plan: amounts, duplicates and payments finance never ordered need a person (no amount is ever edited); refunds share the vouchers' lock with a resend and wait for the next reconciliation after it`,
          },
        ]
      : []),
  ];
}

/** How the days ended, before any fix: some statement missing or unreadable, some differing, or all agreeing. */
export function daysOutcome(days: DayReconciliation[]): { outcome: BankReconciliationOutcome; why: string } {
  const count = (o: DayReconciliation['outcome']) => days.filter((d) => d.outcome === o).length;
  const compared = count('agreed') + count('differs');
  const missing = count('statement-missing') + count('unreadable');
  if (missing > 0)
    return {
      outcome: 'incomplete',
      why: `${missing} 个业务日的对账单缺失或无法读取，已比对 ${compared} 个（不符 ${count('differs')} 个）`,
    };
  if (count('differs') > 0)
    return { outcome: 'differs', why: `已比对 ${compared} 个业务日，其中 ${count('differs')} 个不符` };
  if (compared === 0) return { outcome: 'agreed', why: '所选日期均非工作日，银行不出对账单' };
  return { outcome: 'agreed', why: `已比对 ${compared} 个业务日，双方一致` };
}
