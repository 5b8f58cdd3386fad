/**
 * Named scenarios: combinations of faults that tell a story. `healthy` clears everything;
 * `bad-monday` is the Monday morning every county bureau knows; `year-end` the last days of
 * December (set the clock there first: the sandbox clock crosses 31 December like any night).
 */
import type { ActiveFault, FaultController, FaultInput } from './faults.ts';

export const scenarios = {
  healthy: [] as FaultInput[],
  'bad-monday': [
    { fault: 'channel-network-down', bank: 'ICBC' },
    { fault: 'sequence-mismatch', bank: 'CCB' },
    { fault: 'send-program-dead', bank: 'BOC' },
    { fault: 'daily-report-missing', bank: 'RCB' },
    { fault: 'dead-letters', bank: 'ABC', count: 3 },
  ] as FaultInput[],
  // The last days of December as every year-end meets them: a voucher still unpaid, a receipt
  // that did not register, a bank whose quota totals differ from finance's, one that does not answer.
  'year-end': [
    { fault: 'voucher-unpaid-at-close', bank: 'ICBC' },
    { fault: 'receipt-unregistered', bank: 'ABC' },
    { fault: 'quota-totals-differ', bank: 'BOC' },
    { fault: 'quota-notice-silent', bank: 'CCB' },
  ] as FaultInput[],
} as const;
export type ScenarioName = keyof typeof scenarios;

export function isScenario(name: string): name is ScenarioName {
  return Object.hasOwn(scenarios, name);
}

export interface ScenarioResult {
  scenario: ScenarioName;
  injected: ActiveFault[];
  /** Faults of the scenario whose bank this site does not have. */
  skipped: FaultInput[];
}

/** Clears every fault, then injects the scenario's faults for the banks this site has. */
export async function runScenario(
  name: ScenarioName,
  faults: FaultController,
  bankCodes: readonly string[],
): Promise<ScenarioResult> {
  await faults.clear();
  const injected: ActiveFault[] = [];
  const skipped: FaultInput[] = [];
  for (const input of scenarios[name]) {
    if (!bankCodes.includes(input.bank)) skipped.push(input);
    else injected.push(await faults.inject(input));
  }
  return { scenario: name, injected, skipped };
}
