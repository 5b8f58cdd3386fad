/** 序列号重置 — sequence resync's catalog entry (see shared/runbook-definition.ts). */
import { sequenceResyncInputSchema } from '../domain/runbooks/sequence-resync.types.ts';
import { sequenceResync } from './sequence-resync.ts';
import { defineRunbook } from './shared/runbook-definition.ts';
import { bankAndDates, bankRunLabels } from './shared/start-checks.ts';

export { sequenceResync };

export const sequenceResyncRunbook = defineRunbook({
  id: 'sequence-resync',
  workflow: sequenceResync,
  input: sequenceResyncInputSchema,
  example: { bank: 'CCB', requestedBy: 'zhang.san', scope: 'channel', bankLastSeq: 1205, dryRun: true },
  fields: {
    ...bankRunLabels,
    scope: { label: '范围', options: { channel: 'MQ 通道序列号', serials: '应用报文序号' } },
    bankLastSeq: '银行端最后序列号（无法读取银行队列管理器时）',
    verifySeconds: '重置后观察（秒）',
    answerSeconds: '等待银行应答（秒，报文序号）',
  },
  // The channel scope is about CZ.TO.<bank>; the serials scope is a separate resource with its own id.
  workflowId: (input, day) =>
    input.scope === 'serials'
      ? `sequence-resync/serials/${input.bank}/${day.today}`
      : `sequence-resync/CZ.TO.${input.bank}/${day.today}`,
  siteProblems: (input, site, day) => bankAndDates(input.bank, {}, site, day),
  changes: true,
  approval: {
    policy: { roles: ['comm-approver', 'finance-approver'] },
    steps: {
      execute: {},
      // Backing out an in-doubt batch is its own decision, for those who answer for the MQ links.
      'resolve-in-doubt': { roles: ['comm-approver'], deputyRoles: ['finance-director'] },
    },
  },
  zones: ['comm', 'db'],
  fixes: {
    findings: ['CHANNEL_IN_DOUBT', 'SEQUENCE_MISMATCH'],
    input: (finding, run) => ({
      bank: finding.bank,
      requestedBy: run.requestedBy,
      scope: 'channel' as const,
      reason: run.reason,
    }),
  },
});
