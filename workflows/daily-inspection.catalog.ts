/** 日常巡检 — the daily inspection's catalog entry (see shared/runbook-definition.ts). */
import { dailyInspectionInputSchema } from '../domain/runbooks/daily-inspection.types.ts';
import { futureDateProblems, unknownBankProblems } from '../domain/runbooks/input-estate.ts';
import { dailyInspection } from './daily-inspection.ts';
import { defineRunbook } from './shared/runbook-definition.ts';
import { siteBanks } from './shared/start-checks.ts';

export { dailyInspection };

export const dailyInspectionRunbook = defineRunbook({
  id: 'daily-inspection',
  workflow: dailyInspection,
  input: dailyInspectionInputSchema,
  example: { date: '2026-11-27', banks: ['ICBC', 'CCB'], skip: ['traffic'] },
  fields: {
    date: '巡检日期（默认今天）',
    banks: '巡检的银行（默认全部）',
    skip: {
      label: '跳过的检查',
      options: {
        channels: '通道',
        queues: '队列',
        frontEnd: '前置机',
        programs: '收发程序',
        traffic: '业务量',
        subsystems: '子系统',
      },
    },
  },
  workflowId: (input, day) => `daily-inspection/${input.date ?? day.today}`,
  siteProblems: (input, site, day) => [
    ...unknownBankProblems('input.banks', input.banks, siteBanks(site)),
    ...futureDateProblems({ date: input.date }, day.today),
  ],
  changes: false,
  zones: ['comm', 'db'],
  schedule: { workingDaysAt: ['08:30', '16:30'] },
});
