/**
 * The approval gate's Temporal messages: the `decide` update a signed decision arrives by, the
 * `claimRun` update a signed claim of a run started without a verified requester arrives by, and
 * the `approvalState` query a front door reads. Defined once for the workflows, the inbox and the CLI.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ApprovalState, ClaimReceipt, DecisionReceipt } from '../../domain/approvals/gate-types.ts';
import type { SignedDecision } from '../../domain/approvals/decision.ts';
import type { SignedClaim } from '../../domain/approvals/signed-claims.ts';

export const decideUpdate = defineUpdate<DecisionReceipt, [SignedDecision]>('decide');
/** A signed claim (domain/approvals/signed-claims.ts) makes its user the requester of a run started without one. */
export const claimRunUpdate = defineUpdate<ClaimReceipt, [SignedClaim]>('claimRun');
export const approvalStateQuery = defineQuery<ApprovalState>('approvalState');
