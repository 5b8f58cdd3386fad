/**
 * The one record of a change. Every step that changes something appends an audit record of kind
 * `mutation` in exactly this shape: the plan it was approved on (its digest and gate), each person
 * who approved it with the role they approved in (approvers only: a rejecting voter approved
 * nothing), what was done (the command or statement as run, and where), and the result (the state
 * before and after, and whether it was done already). The audit trail validates it when the
 * record is written (connectors/audit/record.ts) and refuses a record that does not parse.
 */
import { z } from 'zod';

const text = (max: number) => z.string().min(1).max(max);
const present = (what: string) =>
  z.unknown().refine((v) => v !== undefined, { message: `required: ${what} (null when there is none)` });

export const approverSchema = z.object({ user: text(64), role: text(64) }).strict();
export type Approver = z.infer<typeof approverSchema>;

export const mutationRecordSchema = z
  .object({
    planDigest: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 digest as 64 lower-case hex digits'),
    /** The approval gate the plan was approved at (its plan and decision records carry the same id). */
    gateId: text(64),
    approvedBy: z.array(approverSchema).min(1),
    /** What was done: the MQSC, SQL, message or file write as run. */
    action: text(4000),
    /** Where: a queue manager, the treasury, a bank, a file. */
    target: text(200),
    before: present('the state before'),
    after: present('the state after'),
    /** The change was found made already (a repeat after a lost reply): nothing changed. */
    alreadyDone: z.boolean(),
  })
  .strict();

export type MutationRecord = z.infer<typeof mutationRecordSchema>;

/** The approval a change was made on: its gate, the plan's digest, and who approved it in which role. */
export type ApprovedOn = Pick<MutationRecord, 'gateId' | 'planDigest' | 'approvedBy'>;

/** An approval as the approval gate closed it (a GateOutcome). */
export interface ClosedGate {
  gateId: string;
  planDigest: string;
  votes: readonly { user: string; role: string; verdict: 'approve' | 'reject' }[];
}

/** What a change records of the approval it was made on: the approving votes only, with their roles. */
export function approvedOn(gate: ClosedGate): ApprovedOn {
  return {
    gateId: gate.gateId,
    planDigest: gate.planDigest,
    approvedBy: gate.votes
      .filter((v) => v.verdict === 'approve')
      .map((v) => ({ user: v.user, role: v.role })),
  };
}

/** What one step did. */
export type Done = Pick<MutationRecord, 'action' | 'target' | 'before' | 'after' | 'alreadyDone'>;

/** The record of `done`, made on the approval `on`. */
export function mutationRecord(on: ApprovedOn, done: Done): MutationRecord {
  return {
    planDigest: on.planDigest,
    gateId: on.gateId,
    approvedBy: on.approvedBy.map((a) => ({ user: a.user, role: a.role })),
    action: done.action,
    target: done.target,
    before: done.before,
    after: done.after,
    alreadyDone: done.alreadyDone,
  };
}
