/**
 * Every maintenance procedure of the contract by its id (the kebab-case name used in workflow
 * ids, the CLI and reports), with its Chinese and English titles: findings and reports name
 * runbooks by these, built or not. A built runbook's catalog entry (workflows/<id>.catalog.ts)
 * takes its title from here.
 */
export const runbookCatalog = {
  'daily-inspection': { zh: '日常巡检', en: 'Daily inspection' },
  'channel-recovery': { zh: '通道恢复', en: 'Channel recovery' },
  'sequence-resync': { zh: '序列号重置', en: 'Sequence number resync' },
  'voucher-resend': { zh: '失败凭证修复与重发', en: 'Failed voucher repair and resend' },
  'daily-report-check': { zh: '日报清单检查', en: 'Daily report and list check' },
  'bank-reconciliation': { zh: '银行对账与重新对账', en: 'Bank reconciliation' },
  'receipt-registration-repair': { zh: '回单登记修复', en: 'Receipt registration repair' },
  'void-status-check': { zh: '作废状态检查', en: 'Void status check' },
  'refund-tracking': { zh: '退款跟踪', en: 'Refund tracking' },
  'program-restart': { zh: '程序重启', en: 'Program restart' },
  'add-agent-bank': { zh: '新增代理银行', en: 'Add an agent bank' },
  'version-upgrade': { zh: '省厅版本升级', en: 'Provincial version upgrade' },
  'system-migration': { zh: '系统迁移', en: 'System migration' },
  'year-end-rollover': { zh: '年终结转', en: 'Year-end rollover' },
  'data-fix': { zh: '错误数据处理', en: 'Data fix' },
  'data-fix-undo': { zh: '错误数据处理撤销', en: 'Data fix undo' },
  'access-change': { zh: '用户权限变更', en: 'User, role and permission change' },
  'exchange-recovery': { zh: '预算一体化数据交换恢复', en: 'Budget-integration exchange recovery' },
  'procurement-push-retry': { zh: '政采云推送重试', en: 'Procurement cloud push retry' },
  'procurement-payment-check': { zh: '政采合同与支付核对', en: 'Procurement contract and payment check' },
  'payroll-watch': { zh: '工资统发跟踪', en: 'Payroll disbursement watch' },
  'official-card-check': { zh: '公务卡还款检查', en: 'Official card repayment check' },
  'subsystem-health': { zh: '子系统健康检查', en: 'Subsystem health' },
} as const;

export type RunbookId = keyof typeof runbookCatalog;

/** A runbook's Chinese title, or its id when the contract's list has no such runbook. */
export function runbookTitleZh(id: string): string {
  return id in runbookCatalog ? runbookCatalog[id as RunbookId].zh : id;
}

/**
 * The runbooks that change the estate by plan (变更) rather than repair it: a change freeze in the
 * site calendar (calendar.freezes) holds these back. Repairs that keep payments flowing (channel
 * recovery, resends, the bank checks) are never frozen.
 */
export const changeRunbooks: readonly RunbookId[] = [
  'add-agent-bank',
  'version-upgrade',
  'system-migration',
  'year-end-rollover',
  'data-fix',
  'data-fix-undo',
  'access-change',
];
