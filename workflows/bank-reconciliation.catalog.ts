/** 银行对账与重新对账 — bank reconciliation's catalog entry (see shared/runbook-definition.ts). */
import { statementKinds } from '../domain/reconciliation/statement.ts';
import { bankReconciliationInputSchema } from '../domain/runbooks/bank-reconciliation.types.ts';
import { bankReconciliation } from './bank-reconciliation.ts';
import { defineRunbook } from './shared/runbook-definition.ts';
import { bankAndDates, bankRunLabels } from './shared/start-checks.ts';

export { bankReconciliation };

export const bankReconciliationRunbook = defineRunbook({
  id: 'bank-reconciliation',
  workflow: bankReconciliation,
  input: bankReconciliationInputSchema,
  example: {
    bank: 'ABC',
    requestedBy: 'zhang.san',
    kind: 'payment-detail',
    date: '2026-11-26',
    dryRun: true,
  },
  fields: {
    ...bankRunLabels,
    kind: {
      label: '对账单种类',
      options: { 'payment-detail': '支付明细对账', payment: '支付对账', quota: '额度对账' },
    },
    date: '业务日期（默认应到的对账单：银行当日营业结束后为当日，否则为上一个工作日；区间的第一天）',
    to: '区间的最后一天（至多 31 天）',
    again: '重新对账（作废原结果，重新索取对账单）',
    waitSeconds: '等待银行发送对账单（秒）',
  },
  // By the bank, the kind and the days it reconciles (without a date: the statement due today, whichever
  // day that is); a re-reconciliation of the same days is a run of its own.
  workflowId: (input, day) => {
    const from = input.date ?? `due-${day.today}`;
    const days = input.to && input.to !== input.date ? `${from}..${input.to}` : from;
    return `bank-reconciliation/${input.bank}/${input.kind}/${days}${input.again ? '/again' : ''}`;
  },
  siteProblems: (input, site, day) => {
    const problems = bankAndDates(input.bank, { date: input.date, to: input.to }, site, day);
    const bank = site.banks.find((b) => b.code === input.bank);
    // A bank that declares no statement format sends XML packages of every kind.
    const kinds = bank?.statements?.kinds ?? statementKinds;
    if (!site.statements) problems.push('statements: the site declares no statement exchange');
    if (bank && !kinds.includes(input.kind))
      problems.push(
        `input.kind: ${input.bank} does not send ${input.kind} statements (it sends ${kinds.join(', ')})`,
      );
    return problems;
  },
  changes: true,
  approval: { policy: {}, steps: { fix: {} } },
  // After the banks' close (17:00 unless a bank's window says otherwise), on working days.
  schedule: { workingDaysAt: ['17:30'] },
  zones: ['db'],
  fixes: {
    findings: ['RECON_FILE_MISSING', 'RECON_FILE_SURPLUS', 'RECONCILIATION_DIFFERS'],
    // The statement of the inspection's report day, which the finding carries, and its kind when it names one.
    input: (finding, run) => ({
      bank: finding.bank,
      date: String(finding.evidence.date),
      ...(typeof finding.evidence.kind === 'string' && {
        kind: finding.evidence.kind as 'payment-detail' | 'payment' | 'quota',
      }),
      requestedBy: run.requestedBy,
      reason: run.reason,
    }),
  },
});
