/**
 * 子系统健康检查 — subsystem health (catalog item 16, contract 3.1, 4.2, 7.1): every subsystem the
 * site declares — its programs, ports, health URL, version and database, and the work it carries
 * (the exchange client's cycles, certificate and queues; procurement pushes left failed; payroll
 * batches stalled or with failed lines; official-card repayments unanswered) — with a traffic light
 * per subsystem and per check, and the runbook that fixes each finding. Reads only; the daily
 * inspection runs the same looks as its subsystem section.
 */
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createControlActivities } from '../activities/control.ts';
import { invalidInput, parseInput } from '../domain/errors.ts';
import { worstOf } from '../domain/runbooks/subsystem-health.assess.ts';
import { subsystemHealthReport } from '../domain/runbooks/subsystem-health.report.ts';
import {
  subsystemHealthInputSchema,
  type SubsystemHealthInput,
  type SubsystemHealthResult,
} from '../domain/runbooks/subsystem-health.types.ts';
import { answerProgress } from './shared/progress.ts';
import { readActivities } from './shared/retry-profiles.ts';
import { writeRunReport } from './shared/run-report.ts';
import { LightKey, OutcomeKey, RunbookKey } from './shared/search-attributes.ts';
import { inspectSubsystems, subsystemLookers } from './shared/subsystem-looks.ts';

type Control = ReturnType<typeof createControlActivities>;

const runbook = 'subsystem-health';

export async function subsystemHealth(rawInput: SubsystemHealthInput = {}): Promise<SubsystemHealthResult> {
  const input = parseInput(subsystemHealthInputSchema, rawInput);
  const { workflowId } = workflowInfo();
  const startedAt = new Date().toISOString();
  const estate = await readActivities<Control>().describeEstate();
  const lookers = subsystemLookers(estate.taskQueues);
  const described = await lookers.comm.describeSubsystems({
    ...(input.subsystems && { ids: input.subsystems }),
  });
  if (described.inputProblems.length > 0) throw invalidInput(described.inputProblems);
  let step = 'looking';
  answerProgress(() => ({ runbook, step, detail: { subsystems: described.expected.map((e) => e.id) } }));
  upsertSearchAttributes([{ key: RunbookKey, value: runbook }]);

  const { stallMinutes, stuckMinutes, uplinkBacklogMinutes } = input;
  const thresholds = { stallMinutes, stuckMinutes, uplinkBacklogMinutes };
  const subsystems = await inspectSubsystems(lookers, described.expected, thresholds);
  const findings = subsystems.flatMap((h) => h.findings);
  const light = worstOf(subsystems);
  step = 'reporting';
  upsertSearchAttributes([
    { key: OutcomeKey, value: findings.length === 0 ? 'healthy' : 'findings' },
    { key: LightKey, value: light },
  ]);
  const facts = { light, subsystems, findings };
  const report = await writeRunReport(
    { runbook, workflowId, requestedBy: 'system', startedAt, timeZone: estate.timezone },
    (run) => subsystemHealthReport(run, facts),
  );
  return { runbook, workflowId, ...facts, report };
}
