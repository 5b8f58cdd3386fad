/** 工资统发跟踪 — payroll watch's catalog entry (see shared/runbook-definition.ts). */
import { payrollWatchInputSchema } from '../domain/runbooks/payroll-watch.types.ts';
import { subsystemOfKind } from '../domain/subsystem-config.ts';
import { payrollWatch } from './payroll-watch.ts';
import { defineRunbook } from './shared/runbook-definition.ts';
import { bankRunLabels } from './shared/start-checks.ts';

export { payrollWatch };

export const payrollWatchRunbook = defineRunbook({
  id: 'payroll-watch',
  workflow: payrollWatch,
  input: payrollWatchInputSchema,
  example: {
    batchNo: 'GZ202612ICBC01',
    requestedBy: 'zhang.san',
    reason: '12 月工资批次已报送',
    checkSeconds: 120,
  },
  fields: {
    batchNo: '工资批次号',
    subsystem: '工资统发子系统（默认唯一的一个）',
    requestedBy: bankRunLabels.requestedBy,
    reason: bankRunLabels.reason,
    dryRun: '只查看一次，不启动修复',
    repair: '将银行拒绝的行交失败凭证修复与重发',
    stallMinutes: '无进展多久视为停滞（分钟）',
    checkSeconds: '查看间隔（秒）',
    watchHours: '最长跟踪（小时）',
  },
  workflowId: (input) => `payroll-watch/${input.batchNo}`,
  siteProblems: (input, site) => {
    const s = subsystemOfKind(site.subsystems, 'payroll', input.subsystem);
    return typeof s === 'string' ? [s] : [];
  },
  // It starts the voucher repair, which asks its own approval before it changes anything.
  changes: false,
  zones: ['db'],
});
