/**
 * The approval gate's Temporal messages: the `decide` update a signed decision arrives by and the
 * `approvalState` query a front door reads. Defined once for the workflows, the inbox and the CLI.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ApprovalState, DecisionReceipt } from '../../domain/approvals/gate-types.ts';
import type { SignedDecision } from '../../domain/approvals/decision.ts';

export const decideUpdate = defineUpdate<DecisionReceipt, [SignedDecision]>('decide');
export const approvalStateQuery = defineQuery<ApprovalState>('approvalState');
