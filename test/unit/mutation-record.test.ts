/**
 * The one record of a change (domain/mutation-record.ts): built from the approval as the gate closed
 * it — approvers only, each with the role they approved in — and refused by the audit trail when it
 * does not parse, naming the field. The type checker holds the run record to it: a change cannot be
 * written through `audit` in some other shape (each `@ts-expect-error` must stay an error).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuditEntryError, normalizeEntry, type AuditEntryInput } from '../../connectors/audit/record.ts';
import { planDigest } from '../../domain/approvals/decision.ts';
import {
  approvedOn,
  mutationRecord,
  mutationRecordSchema,
  type ClosedGate,
} from '../../domain/mutation-record.ts';
import type { RunRecord } from '../../workflows/shared/run-record.ts';

const gate: ClosedGate = {
  gateId: 'execute-1',
  planDigest: planDigest({ title: 'restart CZ.TO.ICBC' }),
  votes: [
    { user: 'zhao', role: 'comm-approver', verdict: 'reject' },
    { user: 'wang', role: 'comm-approver', verdict: 'approve' },
    { user: 'li', role: 'finance-approver', verdict: 'approve' },
  ],
};
const started = {
  action: 'START CHANNEL(CZ.TO.ICBC)',
  target: 'QM.CZ',
  before: { status: 'STOPPED' },
  after: { answer: 'AMQ8018I: Start IBM MQ channel accepted.' },
  alreadyDone: false,
};

function refusal(payload: unknown): string[] {
  const entry: AuditEntryInput = {
    workflowId: 'channel-recovery/CZ.TO.ICBC/2026-11-27',
    runbook: 'channel-recovery',
    kind: 'mutation',
    actor: 'system',
    subject: 'CZ.TO.ICBC',
    payload,
    idempotencyKey: 'channel-recovery/CZ.TO.ICBC/2026-11-27/r1/mutation/execute-1/0',
  };
  try {
    normalizeEntry(entry);
    return [];
  } catch (err) {
    assert.ok(err instanceof AuditEntryError, String(err));
    return err.problems;
  }
}

describe('the one mutation record', () => {
  it('names the plan and its gate, and the approvers only, each with the role they approved in', () => {
    const record = mutationRecord(approvedOn(gate), started);
    assert.deepEqual(record, {
      planDigest: gate.planDigest,
      gateId: 'execute-1',
      approvedBy: [
        { user: 'wang', role: 'comm-approver' },
        { user: 'li', role: 'finance-approver' },
      ],
      ...started,
    });
    assert.equal(mutationRecordSchema.safeParse(record).success, true);
    assert.deepEqual(refusal(record), []);
  });

  it('is refused by the audit trail when it does not parse, naming the field', () => {
    const record = mutationRecord(approvedOn(gate), started);
    const { approvedBy: _approvers, ...withoutApprovers } = record;
    assert.match(refusal(withoutApprovers).join('\n'), /entry\.payload\.approvedBy/);
    assert.match(
      refusal({ ...record, approvedBy: ['wang', 'li'] }).join('\n'),
      /entry\.payload\.approvedBy\[0\]/,
      'users without their roles',
    );
    assert.match(
      refusal(mutationRecord({ ...approvedOn(gate), approvedBy: [] }, started)).join('\n'),
      /entry\.payload\.approvedBy/,
      'a change nobody approved',
    );
    assert.match(refusal({ ...record, planDigest: null }).join('\n'), /entry\.payload\.planDigest/);
    assert.match(refusal({ ...record, step: 'execute' }).join('\n'), /step/, 'no field beyond the shape');
    const { alreadyDone: _done, ...withoutDone } = record;
    assert.match(refusal(withoutDone).join('\n'), /entry\.payload\.alreadyDone/);
    assert.match(refusal({ ...record, after: undefined }).join('\n'), /entry\.payload\.after/);
  });

  it("is refused in the loose shape the runbooks wrote before, voters' names and all", () => {
    const problems = refusal({
      action: started.action,
      target: started.target,
      before: started.before,
      after: { ...started.after, alreadyDone: false },
      approvedBy: ['zhao', 'wang', 'li'],
      planDigest: gate.planDigest,
    });
    assert.ok(problems.length > 0);
  });
});

/** Never run: a change reaches the audit trail through `mutation` only, for the type checker. */
export function changesThroughTheOneRecord(record: RunRecord): Promise<void>[] {
  return [
    record.mutation(approvedOn(gate), { ...started, subject: 'CZ.TO.ICBC', key: 'mutation/execute-1/0' }),
    record.audit({ kind: 'outcome', actor: 'system', subject: 'CZ.TO.ICBC', payload: {}, key: 'outcome' }),
    // @ts-expect-error a change is not written through `audit`, in whatever shape
    record.audit({ kind: 'mutation', actor: 'system', subject: 'CZ.TO.ICBC', payload: {}, key: 'm' }),
    // @ts-expect-error nor without saying whether it was found done already
    record.mutation(approvedOn(gate), { ...started, alreadyDone: undefined, subject: 'x', key: 'k' }),
  ];
}
