/** 回单登记修复 — receipt registration repair's catalog entry (see shared/runbook-definition.ts). */
import { receiptRepairInputSchema } from '../domain/runbooks/receipt-registration-repair.types.ts';
import { receiptRegistrationRepair } from './receipt-registration-repair.ts';
import { defineRunbook } from './shared/runbook-definition.ts';
import { bankCheckLabels, bankDayProblems, bankDayWorkflowId } from './shared/start-checks.ts';

export { receiptRegistrationRepair };

export const receiptRegistrationRepairRunbook = defineRunbook({
  id: 'receipt-registration-repair',
  workflow: receiptRegistrationRepair,
  input: receiptRepairInputSchema,
  example: { bank: 'ABC', requestedBy: 'zhang.san', maxPayDays: 30, dryRun: true },
  fields: { ...bankCheckLabels, maxPayDays: '回单晚于凭证业务日最多（天）', limit: '每次最多处理回单数' },
  workflowId: bankDayWorkflowId('receipt-registration-repair'),
  siteProblems: bankDayProblems,
  changes: true,
  approval: { policy: {}, steps: { register: {} } },
  zones: ['db'],
  fixes: {
    findings: ['RECEIPT_MISSING', 'RECEIPT_SURPLUS'],
    input: (finding, run) => ({
      bank: finding.bank,
      date: run.date,
      requestedBy: run.requestedBy,
      reason: run.reason,
    }),
  },
});
