/** 公务卡还款检查 — official-card check's catalog entry (see shared/runbook-definition.ts). */
import { officialCardCheckInputSchema } from '../domain/runbooks/official-card-check.types.ts';
import { subsystemOfKind } from '../domain/subsystem-config.ts';
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
    const s = subsystemOfKind(site.subsystems, 'official-card', input.subsystem);
    if (typeof s === 'string') return [s];
    const { banks } = s.officialCard;
    if (input.bank !== undefined && !banks.includes(input.bank))
      return [
        `input.bank: ${input.bank} is not a card-issuing bank of ${s.id}; expected one of ${banks.join(', ')}`,
      ];
    return input.bank === undefined ? [] : bankAndDates(input.bank, { date: input.date }, site, day);
  },
  changes: true,
  // Recording a receipt marks a voucher paid: finance approves.
  approval: { policy: { roles: ['finance-approver'] }, steps: { execute: {} } },
  zones: ['db'],
});
