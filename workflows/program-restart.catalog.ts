/** 程序重启 — program restart's catalog entry (see shared/runbook-definition.ts). */
import { programRestartInputSchema } from '../domain/runbooks/program-restart.types.ts';
import { programRestart } from './program-restart.ts';
import { defineRunbook } from './shared/runbook-definition.ts';
import { bankRunLabels, programTargetProblems } from './shared/start-checks.ts';

export { programRestart };

export const programRestartRunbook = defineRunbook({
  id: 'program-restart',
  workflow: programRestart,
  input: programRestartInputSchema,
  example: {
    subsystem: 'user-accounts',
    requestedBy: 'zhang.san',
    reason: '用户账户管理服务未运行',
    dryRun: true,
  },
  fields: {
    ...bankRunLabels,
    subsystem: '子系统（与代理银行二选一）',
    program: '只重启此程序（默认全部未运行的程序）',
    logLines: '计划中显示的日志行数',
    verifySeconds: '重启后验证等待（秒）',
  },
  workflowId: (input, day) => `program-restart/${input.bank ?? input.subsystem}/${day.today}`,
  siteProblems: (input, site) => programTargetProblems(input, site),
  changes: true,
  approval: { policy: { roles: ['comm-approver', 'finance-approver'] }, steps: { execute: {} } },
  zones: ['comm', 'db'],
  fixes: {
    // A send/receive program down, and the vouchers it left unsent.
    findings: ['PROGRAM_DEAD', 'SEND_BACKLOG'],
    input: (finding, run) => ({ bank: finding.bank, requestedBy: run.requestedBy, reason: run.reason }),
  },
});
