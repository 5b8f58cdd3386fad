/** 错误数据处理 — the data fix's catalog entry (see shared/runbook-definition.ts). */
import { dataFix as fixOf, dataFixNames } from '../domain/data-fixes/fixes.ts';
import { dataFixInputSchema } from '../domain/runbooks/data-fix.types.ts';
import { dataFix } from './data-fix.ts';
import { defineRunbook, type RunbookSpec } from './shared/runbook-definition.ts';
import { bankRunLabels } from './shared/start-checks.ts';

export { dataFix };

/** What a fix and its undo share: no site checks beyond their input, a change of the treasury's data in the db zone, approved by finance. */
export const treasuryDataChange: Pick<RunbookSpec, 'siteProblems' | 'changes' | 'approval' | 'zones'> = {
  siteProblems: () => [],
  changes: true,
  approval: {
    policy: { roles: ['finance-approver'], deputyRoles: ['finance-director'] },
    steps: { execute: {} },
  },
  zones: ['db'],
};

export const dataFixRunbook = defineRunbook({
  id: 'data-fix',
  workflow: dataFix,
  input: dataFixInputSchema,
  example: {
    fix: 'voucher-status',
    params: { voucherNos: ['ZZ20261127ICBC0001'], from: 'sent', to: 'timed_out' },
    requestedBy: 'zhang.san',
    reason: '银行回复无此凭证记录（工单 2026-1127-03）',
    dryRun: true,
  },
  fields: {
    fix: {
      label: '修复项',
      options: Object.fromEntries(dataFixNames.map((n) => [n, fixOf(n).title.zh])),
    },
    params: '修复参数',
    'params.voucherNos': '凭证号（凭证状态卡滞）',
    'params.from': '当前状态（凭证状态卡滞：sent、pending_send、timed_out、rejected）',
    'params.to': '改为状态（timed_out、accepted、draft）',
    'params.payeeAccountId': '收款账户编号（收款人开户行更正）',
    'params.bankName': '正确的开户行（收款人开户行更正）',
    'params.voucherNo': '凭证号（回单重复登记）',
    requestedBy: bankRunLabels.requestedBy,
    reason: bankRunLabels.reason,
    dryRun: '只出预览，不执行',
  },
  // What the fix is about: a second fix of the same rows while one runs is refused.
  workflowId: (input) =>
    `data-fix/${input.fix}/${fixOf(input.fix).subject(fixOf(input.fix).params.parse(input.params))}`,
  ...treasuryDataChange,
});
