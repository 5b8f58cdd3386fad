/**
 * Who asked for a run, as the run itself establishes it at its opening: the front door's signed
 * start assertion in the memo (signed-claims.ts), checked by a worker (activities/requester.ts)
 * against what Temporal says of the run. Without a valid one — a start from the Temporal UI, a
 * schedule, the inspection's follow-ups — the run is unverified: it may diagnose and plan, but
 * the approval gate waits for a signed claim (`claimRun`) before it asks for anything.
 * `input.requestedBy` alone is only a claim: shown, never trusted.
 */
import { log, patched, workflowInfo } from '@temporalio/workflow';
import type { createRequesterActivities } from '../../activities/requester.ts';
import { planDigest } from '../../domain/approvals/decision.ts';
import type { Requester } from '../../domain/approvals/gate-types.ts';
import type { ProofRequester } from '../../domain/approvals/proof.ts';
import { recordActivities } from './retry-profiles.ts';
import { startAssertionMemoKey } from '../../domain/approvals/signed-claims.ts';

type RequesterActivities = ReturnType<typeof createRequesterActivities>;

export type RunRequester = ProofRequester & {
  /** A run begun before requesters were verified: it replays as it was decided, never claimed. */
  legacy?: true;
  /** Why the start assertion did not hold, when there was one. */
  why?: string;
};

/**
 * The run's requester: verified from its start assertion, or unverified with `requestedBy` as
 * its only word. `started` is the run's argument exactly as received (the assertion digests it).
 */
export async function identifyRequester(started: unknown, requestedBy: string): Promise<RunRequester> {
  // Runs begun before requesters were verified replay as they were decided: no check, no claim.
  if (!patched('verified-requester')) return { user: requestedBy, via: 'unverified', legacy: true };
  const assertion: unknown = workflowInfo().memo?.[startAssertionMemoKey];
  if (assertion === undefined) return { user: requestedBy, via: 'unverified' };
  const requester = recordActivities<RequesterActivities>();
  const verdict = await requester.verifyStartAssertion({ assertion, inputDigest: planDigest(started) });
  if (verdict.verified) return { user: verdict.user, via: 'start', evidence: verdict.evidence };
  log.warn('start assertion refused: the run waits to be claimed', { why: verdict.why });
  return { user: requestedBy, via: 'unverified', why: verdict.why };
}

/** Whether the run must be claimed before it asks for an approval. */
export function mustBeClaimed(r: RunRequester): boolean {
  return r.via === 'unverified' && !r.legacy;
}

/** What a front door is shown of the requester. */
export function requesterView(r: ProofRequester): Requester {
  return { user: r.user, verified: r.via !== 'unverified', via: r.via };
}

/** The requester as an approval proof carries it (without the run's own bookkeeping). */
export function proofRequester(r: RunRequester): ProofRequester {
  if (r.via === 'start') return { user: r.user, via: 'start', evidence: r.evidence };
  if (r.via === 'claim') return { user: r.user, via: 'claim', evidence: r.evidence };
  return { user: r.user, via: 'unverified' };
}
