/** 公务卡还款检查 — official-card check's catalog entry (see shared/runbook-definition.ts). */
import { officialCardCheckInputSchema } from '../domain/runbooks/official-card-check.types.ts';
import { officialCardCheck } from './official-card-check.ts';
import { defineRunbook } from './shared/runbook-definition.ts';
import { bankAndDates, bankRunLabels } from './shared/start-checks.ts';

export { officialCardCheck };

export const officialCardCheckRunbook = defineRunbook({
  id: 'official-card-check',
  workflow: officialCardCheck,
  input: officialCardCheckInputSchema,
  example: { date: '2026-11-27', bank: 'CCB', requestedBy: 'zhang.san', stuckMinutes: 60, dryRun: true },
  fields: {
    date: '业务日期（默认今天）',
    bank: '发卡行（默认全部发卡行）',
    subsystem: '公务卡子系统（默认唯一的一个）',
    requestedBy: bankRunLabels.requestedBy,
    reason: bankRunLabels.reason,
    dryRun: bankRunLabels.dryRun,
    stuckMinutes: '已发送无应答多久视为滞留（分钟）',
    answerWaitSeconds: '等待银行应答（秒）',
    verifySeconds: '处理后验证等待（秒）',
  },
  workflowId: (input, day) => `official-card-check/${input.bank ?? 'all'}/${input.date ?? day.today}`,
  siteProblems: (input, site, day) => {
    const all = site.subsystems.filter((s) => s.kind === 'official-card');
    const chosen = input.subsystem === undefined ? all : all.filter((s) => s.id === input.subsystem);
    const named = all.map((s) => s.id).join(', ') || 'none';
    if (chosen.length !== 1)
      return [
        input.subsystem === undefined
          ? `input.subsystem: required: the site declares ${all.length} official-card subsystems (${named})`
          : `input.subsystem: no official-card subsystem ${input.subsystem} in the site file; declared: ${named}`,
      ];
    const banks = chosen[0]?.officialCard?.banks ?? [];
    if (input.bank !== undefined && !banks.includes(input.bank))
      return [
        `input.bank: ${input.bank} is not a card-issuing bank of ${chosen[0]?.id}; expected one of ${banks.join(', ')}`,
      ];
    return input.bank === undefined ? [] : bankAndDates(input.bank, { date: input.date }, site, day);
  },
  changes: true,
  // Recording a receipt marks a voucher paid: finance approves.
  approval: { policy: { roles: ['finance-approver'] }, steps: { execute: {} } },
  zones: ['db'],
});
