/**
 * 用户权限变更 — user, role and permission change (catalog item 13, contract 1.1, 3.6, 4.7, 6.7,
 * 7.5, 8.4) in the payment system or the user-account management system: the change previewed over
 * the system's access as read — a user, role or permission that does not exist is bad input,
 * before anything is recorded; a grant already held, a revoke of what is not held or a change that
 * leaves no active administrator is refused with the reason before anyone is asked — then approved
 * by the roles the site's policy names, never by anyone whose own access it changes (the gate and
 * the approval proof both refuse them), applied in one transaction that changes nothing unless
 * every user and role is as previewed, and verified by reading them back. One change per system at
 * a time (lock/access/<system>).
 */
import { workflowInfo } from '@temporalio/workflow';
import type { createAccessActivities } from '../activities/access.ts';
import type { createControlActivities } from '../activities/control.ts';
import type { AccessPreview, AccessRequest } from '../domain/access/access-changes.ts';
import { invalidInput, parseInput } from '../domain/errors.ts';
import { approvedOn } from '../domain/mutation-record.ts';
import { differing, type Differing } from '../domain/row-changes.ts';
import { accessChangePlan } from '../domain/runbooks/access-change.plan.ts';
import { accessChangeReport } from '../domain/runbooks/access-change.report.ts';
import {
  accessChangeInputSchema,
  type AccessApplied,
  type AccessChangeInput,
  type AccessChangeOutcome,
  type AccessChangeParsed,
  type AccessChangeResult,
} from '../domain/runbooks/access-change.types.ts';
import { subsystemKindTitles } from '../domain/subsystem-config.ts';
import { longWriteActivities, readActivities, type ReadProxy } from './shared/retry-profiles.ts';
import {
  approve,
  closeRun,
  holdingLock,
  lastPlan,
  openRun,
  type Found,
  type GatedRun,
} from './shared/runbook-run.ts';

type Control = ReturnType<typeof createControlActivities>;
type Acts = ReturnType<typeof createAccessActivities>;

const runbook = 'access-change';

interface ChangeFound extends Found {
  preview: AccessPreview;
}

/** A change's run, its activities, and what it has done. */
interface Change {
  run: GatedRun<AccessChangeParsed> & ChangeFound;
  acts: ReturnType<typeof accessActivities>;
  request: AccessRequest;
  moved: Differing[];
  problems: string[];
  applied?: Extract<AccessApplied, { outcome: 'applied' | 'already' }>;
  differ?: Differing[];
}

function accessActivities(dbQueue: string) {
  return {
    read: readActivities<Acts>({ taskQueue: dbQueue }),
    // One transaction, keyed by the run in its journal: a retry finds it made. It heartbeats while
    // it waits for the system's rows, so a worker killed in it is noticed in seconds.
    change: longWriteActivities<Acts>({ taskQueue: dbQueue }),
  };
}

export async function accessChange(rawInput: AccessChangeInput): Promise<AccessChangeResult> {
  const input = parseInput(accessChangeInputSchema, rawInput);
  const request: AccessRequest = { users: input.users, roles: input.roles };
  const run = await openRun({
    runbook,
    input,
    started: rawInput,
    find: (control) => preview(control, input.system, request),
    firstStep: 'previewing',
    subject: input.system,
    detail: () => ({ system: input.system }),
  });
  const c: Change = {
    run,
    acts: accessActivities(run.estate.taskQueues.db),
    request,
    moved: [],
    problems: run.preview.problems,
  };
  const failed = `用户权限变更失败：${subsystemKindTitles[input.system]}`;
  const outcome = await holdingLock(run, ['access', input.system], failed, () => change(c));
  const report = await closeRun(
    run,
    {
      outcome,
      subject: input.system,
      payload: { entities: run.preview.entities.length, concerns: run.preview.concerns },
    },
    (r) => accessChangeReport(r, facts(c, outcome)),
  );
  return { runbook, workflowId: run.workflowId, ...facts(c, outcome), report };
}

/** Refused before approval when the preview found a reason; else approve, apply, verify. */
async function change(c: Change): Promise<AccessChangeOutcome> {
  const { run, request } = c;
  const { preview } = run;
  if (preview.problems.length > 0) return 'refused';
  const approval = await approve(
    run,
    'execute',
    accessChangePlan({ preview, request, reason: run.input.reason }),
  );
  if (typeof approval === 'string') return approval;
  run.step('applying');
  const entities = preview.entities.map(({ key, beforeDigest, afterDigest }) => ({
    key,
    beforeDigest,
    afterDigest,
  }));
  const { workflowId, runId } = workflowInfo();
  const applied = await run.hand.step('apply', () =>
    c.acts.change.applyAccessChange({
      system: preview.system,
      request,
      entities,
      changeId: `${workflowId}@${runId}`,
      at: new Date().toISOString(),
      proof: approval.proof,
    }),
  );
  if (applied.outcome === 'moved') {
    c.moved = applied.moved;
    c.problems = applied.problems;
    return 'moved';
  }
  c.applied = applied;
  await run.record.mutation(approvedOn(approval), {
    subject: preview.system,
    action: `ACCESS CHANGE ${preview.system}: ${preview.statements.length} statement(s)`,
    target: 'treasury',
    before: preview.entities.map((e) => ({ key: e.key, digest: e.beforeDigest })),
    after: preview.entities.map((e) => ({ key: e.key, digest: e.afterDigest, set: e.after })),
    alreadyDone: applied.outcome === 'already',
    key: `mutation/${approval.gateId}/apply`,
  });
  run.step('verifying');
  const now = await c.acts.read.accessNow({ system: preview.system, keys: entities.map((e) => e.key) });
  c.differ = differing(
    now,
    entities.map((e) => ({ key: e.key, digest: e.afterDigest })),
  );
  return c.differ.length === 0 ? 'changed' : 'unverified';
}

/** The estate and the change's preview; input naming what the system does not have is bad input, before anything is recorded. */
async function preview(
  control: ReadProxy<Control>,
  system: AccessChangeParsed['system'],
  request: AccessRequest,
): Promise<ChangeFound> {
  const estate = await control.describeEstate();
  const { missing, ...found } = await accessActivities(estate.taskQueues.db).read.previewAccessChange({
    system,
    request,
  });
  if (missing.length > 0) throw invalidInput(missing);
  return { estate, bank: { code: system, name: subsystemKindTitles[system] }, bankCodes: [], preview: found };
}

function facts(c: Change, outcome: AccessChangeOutcome) {
  const { preview } = c.run;
  const approval = c.run.approvals.at(-1);
  return {
    outcome,
    system: preview.system,
    entities: preview.entities,
    concerns: preview.concerns,
    admins: preview.admins,
    problems: c.problems,
    moved: c.moved,
    ...lastPlan(c.run),
    ...(approval && { approval }),
    ...(c.applied && { applied: c.applied }),
    ...(c.differ && { differ: c.differ }),
  };
}
