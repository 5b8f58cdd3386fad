/** 年终结转 — the year-end rollover's catalog entry (see shared/runbook-definition.ts). */
import { unknownBankProblems } from '../domain/runbooks/input-estate.ts';
import { yearEndRolloverInputSchema } from '../domain/runbooks/year-end-rollover.types.ts';
import { defineRunbook } from './shared/runbook-definition.ts';
import { siteBanks } from './shared/start-checks.ts';
import { yearEndRollover } from './year-end-rollover.ts';

export { yearEndRollover };

export const yearEndRolloverRunbook = defineRunbook({
  id: 'year-end-rollover',
  workflow: yearEndRollover,
  input: yearEndRolloverInputSchema,
  example: { fiscalYear: 2026, requestedBy: 'zhang.san', reason: '2026 年度年终结转', dryRun: true },
  fields: {
    fiscalYear: '结转年度',
    banks: '代理银行（默认全部）',
    freezeAt: '冻结时点（默认：年度最后一个工作日营业结束）',
    openAt: '新年度开启时点（默认：新年度第一个工作日营业开始）',
    recheckMinutes: '预检查未通过时的复查间隔（分钟）',
    remindAfterMinutes: '银行未确认时的重发间隔（分钟）',
    escalateAfterMinutes: '银行未确认时升级通知（分钟）',
    requestedBy: '申请人',
    reason: '原因（给审批人看）',
    dryRun: '只出方案，不执行',
  },
  // One rollover per fiscal year: a second start for the same year is refused by Temporal.
  workflowId: (input) => `year-end-rollover/${input.fiscalYear}`,
  siteProblems: (input, site) => unknownBankProblems('input.banks', input.banks, siteBanks(site)),
  changes: true,
  // The year-end freeze (年终结转封网) is for everything but the rollover itself.
  freezeExempt: true,
  approval: {
    policy: { roles: ['finance-approver'], deputyRoles: ['finance-director'] },
    steps: {
      freeze: {},
      open: {},
    },
  },
  zones: ['comm', 'db'],
});
