/**
 * How a runbook about a subsystem (or a bank's programs, a payroll batch) opens: the estate
 * described, then what the input names described by the subsystem's own activity — its target, or
 * the input problems (each naming its field) that refuse the run before anything is recorded.
 */
import type { createControlActivities, EstateDescription } from '../../activities/control.ts';
import { invalidInput } from '../../domain/errors.ts';
import type { ReadProxy } from './retry-profiles.ts';
import type { Found } from './runbook-run.ts';

type Control = ReturnType<typeof createControlActivities>;

/** What a describe activity answers: the target the input names, or why it names none. */
export interface Described<T> {
  inputProblems: string[];
  target?: T;
}

/** The target described, or bad input naming every problem (`more`: the runbook's own, e.g. a date after today). */
export function describedOrRefused<T>(described: Described<T>, more: string[] = []): T {
  const problems = [...described.inputProblems, ...more];
  if (!described.target || problems.length > 0) throw invalidInput(problems);
  return described.target;
}

/** The estate, then the subsystem the input names through `describe`; the run is about that subsystem. */
export async function findSubsystem<T extends { subsystem: string; name: string }>(
  control: ReadProxy<Control>,
  describe: (queues: EstateDescription['taskQueues']) => Promise<Described<T>>,
): Promise<Found & { target: T }> {
  const estate = await control.describeEstate();
  const target = describedOrRefused(await describe(estate.taskQueues));
  return { estate, bank: { code: target.subsystem, name: target.name }, bankCodes: [], target };
}
