/**
 * The operator's hand's Temporal messages: the `decideStep` update a signed hand decision arrives
 * by, and the `handState` query a front door reads a paused step from. Defined once for the
 * workflows, the inbox and the CLI.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { HandReceipt, HandState, SignedHandDecision } from '../../domain/approvals/hand-decision.ts';

export const decideStepUpdate = defineUpdate<HandReceipt, [SignedHandDecision]>('decideStep');
export const handStateQuery = defineQuery<HandState>('handState');
