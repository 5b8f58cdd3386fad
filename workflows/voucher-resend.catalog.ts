/** 失败凭证修复与重发 — voucher repair and resend's catalog entry (see shared/runbook-definition.ts). */
import { voucherResendInputSchema } from '../domain/runbooks/voucher-resend.types.ts';
import { defineRunbook } from './shared/runbook-definition.ts';
import { bankAndDates, bankRunLabels } from './shared/start-checks.ts';
import { voucherResend } from './voucher-resend.ts';

export { voucherResend };

export const voucherResendRunbook = defineRunbook({
  id: 'voucher-resend',
  workflow: voucherResend,
  input: voucherResendInputSchema,
  example: {
    bank: 'ICBC',
    requestedBy: 'zhang.san',
    voucherNos: ['ZZ20261127ICBC0001'],
    since: '2026-11-01',
    dryRun: true,
  },
  fields: {
    ...bankRunLabels,
    voucherNos: '只处理这些凭证号（默认该行全部失败凭证）',
    since: '只处理此日起的凭证',
    staleSentMinutes: '已发送无应答视为失败（分钟）',
    answerWaitSeconds: '每轮等待银行应答（秒）',
    askRounds: '查询轮数',
    ackWaitSeconds: '等待基础资料确认（秒）',
    verifySeconds: '重发后观察（秒）',
    batchSize: '每批凭证数',
    concurrency: '同时处理的批数',
    maxVouchers: '本次最多处理凭证数',
  },
  workflowId: (input, day) => `voucher-resend/${input.bank}/${day.today}`,
  siteProblems: (input, site, day) => bankAndDates(input.bank, { since: input.since }, site, day),
  changes: true,
  // Resending moves money: finance approves; the fields gate asks whoever corrects payee records.
  approval: {
    policy: { roles: ['finance-approver'], deputyRoles: ['finance-director'] },
    steps: { 'fix-fields': { roles: ['finance-approver', 'comm-approver'] }, resend: {} },
  },
  zones: ['db'],
  fixes: {
    // Failed vouchers (dead letters, a send backlog, payments short): the resend asks the bank first.
    findings: [
      'DEAD_LETTERS',
      'SEND_BACKLOG',
      'DIRECT_PAYMENT_MISSING',
      'DIRECT_PAYMENT_SURPLUS',
      'AUTHORIZED_PAYMENT_MISSING',
      'AUTHORIZED_PAYMENT_SURPLUS',
      'QUOTA_NOTICE_MISSING',
      'QUOTA_NOTICE_SURPLUS',
    ],
    input: (finding, run) => ({ bank: finding.bank, requestedBy: run.requestedBy, reason: run.reason }),
  },
});
