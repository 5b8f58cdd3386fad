/**
 * How an activity that changes production or money says so: `requiresProof(actionsOf, fn)` marks
 * it, and `actionsOf` tells what exactly it is about to do (the MQSC, the SQL, the message, the
 * file — as the plan shows it, or items of one of the plan's lists). The worker's guard
 * (workers/activity-guard.ts) finds the mark, checks the approval proof in the activity's input
 * against those actions before the activity runs, and refuses it otherwise; the activity itself
 * never sees an unapproved call. Read-only activities carry no mark and need no proof.
 */
import type { ApprovalProof, ProofAction } from '../domain/approvals/proof.ts';
import { writes, type Writes } from './activity-kinds.ts';

/** A mutating activity's input: its own fields and the proof (undefined only in runs approved before proofs, which are refused). */
export type Approved<A> = A & { proof: ApprovalProof | undefined };
type ActionsOf<A> = (input: A) => ProofAction[] | Promise<ProofAction[]>;

const marks = new WeakMap<object, ActionsOf<never>>();

/** Marks `fn` as a mutating activity (a write) performing `actionsOf(input)`; its input carries the proof. */
export function requiresProof<A extends object, R>(
  actionsOf: ActionsOf<A>,
  fn: (input: A) => Promise<R>,
): Writes<(input: Approved<A>) => Promise<R>> {
  const activity = writes((input: Approved<A>) => fn(input));
  marks.set(activity, actionsOf as ActionsOf<never>);
  return activity;
}

/** The actions a marked activity declares, or undefined for a read-only one. */
export function declaredActions(activity: unknown): ((input: unknown) => Promise<ProofAction[]>) | undefined {
  const actionsOf = typeof activity === 'function' ? marks.get(activity) : undefined;
  return actionsOf && (async (input) => actionsOf(input as never));
}

/** One MQSC command on one queue manager. */
export const mqscAction = (qmgr: string, command: string): ProofAction => ({
  kind: 'mqsc',
  target: qmgr,
  command,
});

/** One SQL statement (as the plan shows it) on the treasury database. */
export const sqlAction = (command: string): ProofAction => ({ kind: 'sql', target: 'treasury', command });
