/**
 * The guard in front of every activity of every worker (an activity inbound interceptor), so that
 * only the project's own runs get anything done, whoever can reach Temporal:
 * 1. the scheduling run — known from the activity's own info, described by Temporal through the
 *    worker's connection (run-facts.ts) — must be one of the project's workflow types on the
 *    site's runbooks task queue (their child workflows included);
 * 2. an activity marked as mutating (activities/proof-actions.ts) must carry an approval proof
 *    that covers what it is about to do, from a run that holds its resource locks now
 *    (proof-check.ts, lock-check.ts);
 * 3. the audit trail takes a decision (an approval's, or an operator's hand decision on a paused
 *    step) only with its front-door signature for this run — a hand decision's nonce bound to the
 *    run in the nonce ledger, as an approval's is when acted on — and a mutation that names an
 *    approved plan only under a proof this run (or its parent) has used; nobody writes
 *    `proof-used` but the guard.
 * Every refusal is logged with what was refused and why, and fails the activity non-retryably
 * before it has touched anything.
 */
import type { Info } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Logger } from 'pino';
import { declaredActions } from '../activities/proof-actions.ts';
import type { NonceLedger } from '../connectors/approvals/nonce-ledger.ts';
import type { AuditDb } from '../connectors/audit/database.ts';
import type { RunFacts, RunFactsReader } from '../connectors/temporal/run-facts.ts';
import {
  recordedDecisionSchema,
  verifyDecisionSignature,
  type SignerKey,
} from '../domain/approvals/decision.ts';
import { signedHandDecisionSchema, verifyHandSignature } from '../domain/approvals/hand-decision.ts';
import { ErrorKind } from '../domain/errors.ts';
import type { ProofChecker } from './proof-check.ts';

export interface GuardOptions {
  namespace: string;
  runs: RunFactsReader;
  isProjectRun(facts: RunFacts): boolean;
  log: Logger;
  /** Activities by name, as registered: the guard reads their mutating mark. */
  activities: Record<string, unknown>;
  /** Checks proofs; required where mutating activities run. */
  proofs?: ProofChecker;
  /** Where the audit activities run: keys for decision records, the trail for proof-used ones, the nonce ledger. */
  audit?: { signers: SignerKey[]; db: AuditDb; ledger: NonceLedger };
}

class Refusal extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export function activityGuard(options: GuardOptions): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      execute: async (input, next) => {
        try {
          await admit(options, ctx.info, input.args[0]);
        } catch (err) {
          if (!(err instanceof Refusal)) throw err;
          const { info } = ctx;
          options.log.warn(
            {
              refused: info.activityType,
              workflowId: info.workflowExecution?.workflowId,
              runId: info.workflowExecution?.runId,
              workflowType: info.workflowType,
              taskQueue: info.taskQueue,
              reason: err.reason,
              why: err.message,
            },
            'activity refused',
          );
          throw ApplicationFailure.create({
            type: err.kind,
            nonRetryable: true,
            message: `${info.activityType} refused (${err.reason}): ${err.message}`,
            details: [err.reason],
          });
        }
        return next(input);
      },
    },
  });
}

async function admit(options: GuardOptions, info: Info, input: unknown): Promise<void> {
  const run = info.workflowExecution;
  const foreign = (message: string) => new Refusal(ErrorKind.ForeignRun, 'foreign-run', message);
  if (!run || info.workflowNamespace !== options.namespace)
    throw foreign('not scheduled by a workflow of this namespace');
  const facts = await options.runs.facts(run);
  if (!facts) throw foreign(`Temporal knows no run ${run.runId} of ${run.workflowId}`);
  if (!options.isProjectRun(facts))
    throw foreign(
      `scheduled by ${facts.workflowType} on task queue ${facts.taskQueue}, not a runbook of this site`,
    );

  const caller = { namespace: options.namespace, ...run, facts };
  const actionsOf = declaredActions(options.activities[info.activityType]);
  if (actionsOf) {
    if (!options.proofs)
      throw new Refusal(ErrorKind.ApprovalProofRefused, 'no-proof-check', 'this worker checks no proofs');
    const proof = (input as { proof?: unknown } | undefined)?.proof;
    const actions = await actionsOf(input);
    const check = await options.proofs(caller, proof, actions, info.activityType);
    if (!check.ok) {
      // A run that lost its lock cannot win it back by asking again: it ends, ResourceLocked.
      const kind =
        check.reason === 'lock-not-held' ? ErrorKind.ResourceLocked : ErrorKind.ApprovalProofRefused;
      throw new Refusal(kind, check.reason, check.message);
    }
  }
  if (info.activityType === 'appendAudit' && options.audit)
    await admitAuditEntry(options.audit, caller, input);
}

/** The audit entries that claim authority must show it (see the module header). */
async function admitAuditEntry(
  audit: NonNullable<GuardOptions['audit']>,
  caller: { namespace: string; workflowId: string; runId: string; facts: RunFacts },
  input: unknown,
): Promise<void> {
  const entry = input as
    | {
        kind?: string;
        payload?: { claims?: unknown; keyId?: unknown; signature?: unknown; planDigest?: unknown };
      }
    | undefined;
  const refuse = (message: string) => new Refusal(ErrorKind.ApprovalProofRefused, 'unproven-record', message);
  if (entry?.kind === 'proof-used' || entry?.kind === 'lock-refused')
    throw refuse(`${entry.kind} records are written by the workers only`);
  if (entry?.kind === 'decision') {
    const { claims, keyId, signature } = entry.payload ?? {};
    const decision = recordedDecisionSchema.safeParse({ claims, keyId, signature });
    if (!decision.success || decision.data.claims.v !== 2)
      throw refuse('a decision record must carry the signed claims, key id and signature');
    const c = decision.data.claims;
    if (verifyDecisionSignature(decision.data, audit.signers) !== 'ok')
      throw refuse('the decision is not signed by a trusted front door');
    if (c.namespace !== caller.namespace || c.workflowId !== caller.workflowId || c.runId !== caller.runId)
      throw refuse(`the decision is for ${c.workflowId} run ${c.runId}, not the recording run`);
  }
  if (entry?.kind === 'hand-decision') await admitHandDecision(audit, caller, entry.payload);
  if (entry?.kind === 'mutation' && entry.payload?.planDigest !== undefined) {
    const digest = entry.payload.planDigest;
    const runs = [caller, ...(caller.facts.parent ? [caller.facts.parent] : [])];
    const used = await audit.db
      .selectFrom('audit_records')
      .select(['payload'])
      .where('kind', '=', 'proof-used')
      .where((eb) =>
        eb.or(runs.map((r) => eb.and([eb('workflow_id', '=', r.workflowId), eb('run_id', '=', r.runId)]))),
      )
      .execute();
    if (!used.some((r) => (JSON.parse(r.payload) as { planDigest?: string }).planDigest === digest))
      throw refuse('a mutation record naming a plan needs an approval of that plan this run has acted on');
  }
}

/** A hand decision record: the front door's signed decision for the recording run, its nonce used by no other run. */
async function admitHandDecision(
  audit: NonNullable<GuardOptions['audit']>,
  caller: { namespace: string; workflowId: string; runId: string; facts: RunFacts },
  payload: { claims?: unknown; keyId?: unknown; signature?: unknown } | undefined,
): Promise<void> {
  const refuse = (message: string) => new Refusal(ErrorKind.ApprovalProofRefused, 'unproven-record', message);
  const { claims, keyId, signature } = payload ?? {};
  const decision = signedHandDecisionSchema.safeParse({ claims, keyId, signature });
  if (!decision.success)
    throw refuse('a hand decision record must carry the signed claims, key id and signature');
  const c = decision.data.claims;
  if (verifyHandSignature(decision.data, audit.signers) !== 'ok')
    throw refuse('the hand decision is not signed by a trusted front door');
  if (c.namespace !== caller.namespace || c.workflowId !== caller.workflowId || c.runId !== caller.runId)
    throw refuse(`the hand decision is for ${c.workflowId} run ${c.runId}, not the recording run`);
  const bound = await audit.ledger.bind(
    { namespace: caller.namespace, workflowId: caller.workflowId, runId: caller.runId },
    [{ nonce: c.nonce, kind: 'hand' }],
    [caller.facts.originalRunId],
  );
  if (bound.reused)
    throw refuse(
      `the hand decision was first used by ${bound.reused.boundTo.workflowId} run ${bound.reused.boundTo.runId}`,
    );
}
