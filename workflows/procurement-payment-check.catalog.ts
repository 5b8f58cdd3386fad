/** 政采合同与支付核对 — the procurement contract and payment check's catalog entry (see shared/runbook-definition.ts). */
import { procurementPaymentCheckInputSchema } from '../domain/runbooks/procurement-payment-check.types.ts';
import { subsystemOfKind } from '../domain/subsystem-config.ts';
import { procurementPaymentCheck } from './procurement-payment-check.ts';
import { defineRunbook } from './shared/runbook-definition.ts';
import { bankRunLabels } from './shared/start-checks.ts';

export { procurementPaymentCheck };

export const procurementPaymentCheckRunbook = defineRunbook({
  id: 'procurement-payment-check',
  workflow: procurementPaymentCheck,
  input: procurementPaymentCheckInputSchema,
  example: { requestedBy: 'zhang.san', contractNos: ['ZCY20260001'] },
  fields: {
    subsystem: '政采云推送子系统（默认唯一的一个）',
    requestedBy: bankRunLabels.requestedBy,
    reason: '原因',
    contractNos: '只核对这些合同（默认全部）',
  },
  workflowId: (input, day) => `procurement-payment-check/${input.subsystem ?? 'procurement'}/${day.today}`,
  siteProblems: (input, site) => {
    const s = subsystemOfKind(site.subsystems, 'procurement-push', input.subsystem);
    return typeof s === 'string' ? [s] : [];
  },
  // It compares and reports; it changes nothing.
  changes: false,
  zones: ['comm', 'db'],
});
