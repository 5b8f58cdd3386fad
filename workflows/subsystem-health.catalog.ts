/** 子系统健康检查 — subsystem health's catalog entry (see shared/runbook-definition.ts). */
import { subsystemHealthInputSchema } from '../domain/runbooks/subsystem-health.types.ts';
import { defineRunbook } from './shared/runbook-definition.ts';
import { subsystemHealth } from './subsystem-health.ts';

export { subsystemHealth };

export const subsystemHealthRunbook = defineRunbook({
  id: 'subsystem-health',
  workflow: subsystemHealth,
  input: subsystemHealthInputSchema,
  example: { subsystems: ['budget-exchange', 'accounting'] },
  fields: {
    subsystems: '检查的子系统（默认全部）',
    stallMinutes: '工资批次停滞判定（分钟）',
    stuckMinutes: '公务卡还款无应答判定（分钟）',
    uplinkBacklogMinutes: '上行积压判定（分钟）',
  },
  workflowId: (_input, day) => `subsystem-health/${day.today}`,
  siteProblems: (input, site) => {
    const declared = site.subsystems.map((s) => s.id);
    return (input.subsystems ?? []).flatMap((id, i) =>
      declared.includes(id)
        ? []
        : [`input.subsystems[${i}]: no subsystem ${id} in the site file; declared: ${declared.join(', ')}`],
    );
  },
  changes: false,
  zones: ['comm', 'db'],
  schedule: { workingDaysAt: ['08:40'] },
});
