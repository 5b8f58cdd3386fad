/**
 * 政采合同与支付核对 — procurement contract and payment check (catalog item 15, contract 5.6): the
 * procurement contracts the treasury records and the payments made against them (each a
 * confirmation and its voucher) compared with each other and with what the procurement cloud holds
 * — a payment beyond its contract, a confirmation unlike its voucher, a payment without a contract,
 * a confirmation the cloud lacks or holds otherwise — each difference reported with its likely
 * cause and the runbook or person that fixes it. Reads only; nothing to approve.
 */
import type { createControlActivities } from '../activities/control.ts';
import type { createProcurementCloudActivities } from '../activities/procurement-cloud.ts';
import type { createProcurementItemActivities } from '../activities/procurement-items.ts';
import { parseInput } from '../domain/errors.ts';
import { comparePayments } from '../domain/runbooks/procurement-payment-check.compare.ts';
import { procurementPaymentCheckReport } from '../domain/runbooks/procurement-payment-check.report.ts';
import {
  procurementPaymentCheckInputSchema,
  type ProcurementPaymentCheckInput,
  type ProcurementPaymentCheckResult,
} from '../domain/runbooks/procurement-payment-check.types.ts';
import type { ProcurementTarget } from '../domain/runbooks/procurement-push-retry.types.ts';
import { readActivities, type ReadProxy } from './shared/retry-profiles.ts';
import { closeRun, openRun, type Found } from './shared/runbook-run.ts';
import { findSubsystem } from './shared/subsystem-opening.ts';

type Control = ReturnType<typeof createControlActivities>;
type Cloud = ReturnType<typeof createProcurementCloudActivities>;
type Items = ReturnType<typeof createProcurementItemActivities>;
type Input = ReturnType<typeof procurementPaymentCheckInputSchema.parse>;

const runbook = 'procurement-payment-check';
/** Payments compared in one run; beyond them the report says how many were left. */
const maxPayments = 20_000;

type ProcurementFound = Found & { target: ProcurementTarget };

export async function procurementPaymentCheck(
  rawInput: ProcurementPaymentCheckInput,
): Promise<ProcurementPaymentCheckResult> {
  const input = parseInput(procurementPaymentCheckInputSchema, rawInput);
  const run = await openRun({
    runbook,
    input,
    started: rawInput,
    gate: false,
    find: (control) => findProcurement(control, input),
    firstStep: 'reading',
    detail: (found) => ({ subsystem: found.target.subsystem }),
  });
  const { target } = run;
  const acts = checkActivities(run.estate.taskQueues);
  const [ledger, look] = await Promise.all([
    acts.items.procurementLedger({
      ...(input.contractNos && { contractNos: input.contractNos }),
      max: maxPayments,
    }),
    acts.cloud.lookAtProcurementCloud({ subsystem: target.subsystem }),
  ]);
  run.step('comparing');
  const contractNos = [...new Set([...ledger.contracts, ...ledger.payments].map((x) => x.contractNo))];
  const cloud = look.answering
    ? await acts.cloud.procurementCloudContracts({ subsystem: target.subsystem, contractNos })
    : undefined;
  const compared = comparePayments(ledger, cloud);
  const outcome = !cloud
    ? 'cloud-unavailable'
    : compared.differences.length > 0
      ? 'differences'
      : 'consistent';
  const facts = {
    subsystem: target.subsystem,
    outcome,
    cloudDetail: look.detail,
    ...compared,
    morePayments: ledger.morePayments,
  } as const;
  const report = await closeRun(
    run,
    {
      outcome,
      subject: target.subsystem,
      payload: {
        contracts: compared.contracts.length,
        differences: compared.differences.map((d) =>
          `${d.kind} ${d.contractNo} ${d.confirmationNo ?? ''}`.trim(),
        ),
      },
    },
    (r) => procurementPaymentCheckReport(r, { name: target.name, ...facts }),
  );
  return { runbook, workflowId: run.workflowId, ...facts, report };
}

function checkActivities(queues: { comm: string; db: string }) {
  return {
    cloud: readActivities<Cloud>({ taskQueue: queues.comm }),
    items: readActivities<Items>({ taskQueue: queues.db }),
  };
}

/** The procurement subsystem the input names; anything else is bad input, before anything is recorded. */
const findProcurement = (control: ReadProxy<Control>, input: Input): Promise<ProcurementFound> =>
  findSubsystem(control, (queues) =>
    checkActivities(queues).cloud.describeProcurement({
      ...(input.subsystem !== undefined && { subsystem: input.subsystem }),
    }),
  );
