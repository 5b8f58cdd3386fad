/** 通道恢复 — channel recovery's catalog entry (see shared/runbook-definition.ts). */
import { channelRecoveryInputSchema } from '../domain/runbooks/channel-recovery.types.ts';
import { channelRecovery } from './channel-recovery.ts';
import { defineRunbook } from './shared/runbook-definition.ts';
import { bankAndDates, bankRunLabels } from './shared/start-checks.ts';

export { channelRecovery };

export const channelRecoveryRunbook = defineRunbook({
  id: 'channel-recovery',
  workflow: channelRecovery,
  input: channelRecoveryInputSchema,
  example: { bank: 'ICBC', requestedBy: 'zhang.san', reason: '巡检发现 CZ.TO.ICBC 重试中' },
  fields: { ...bankRunLabels, verifySeconds: '恢复后观察（秒）' },
  workflowId: (input, day) => `channel-recovery/CZ.TO.${input.bank}/${day.today}`,
  siteProblems: (input, site, day) => bankAndDates(input.bank, {}, site, day),
  changes: true,
  approval: { policy: { roles: ['comm-approver', 'finance-approver'] }, steps: { execute: {} } },
  zones: ['comm'],
  fixes: {
    findings: [
      'CHANNEL_RETRYING',
      'CHANNEL_STOPPED',
      'CHANNEL_TRANSITIONAL',
      'RECEIVER_STOPPED',
      'BANK_SENDER_DOWN',
      'XMITQ_BACKLOG',
      'FRONT_END_UNREACHABLE',
    ],
    input: (finding, run) => ({ bank: finding.bank, requestedBy: run.requestedBy, reason: run.reason }),
  },
});
