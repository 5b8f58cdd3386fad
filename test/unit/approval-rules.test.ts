import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { decisionNonce, signDecision, type SigningKey } from '../../connectors/approvals/signing-keys.ts';
import { checkDecision, type DecisionContext } from '../../domain/approvals/decision-rules.ts';
import { planDigest, type DecisionClaims } from '../../domain/approvals/decision.ts';
import type { ApprovalPlan, GatePolicy, PendingApprovalView } from '../../domain/approvals/gate-types.ts';

function keyPair(keyId: string): { signing: SigningKey; publicKeyHex: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  return { signing: { keyId, privateKey }, publicKeyHex: Buffer.from(x, 'base64url').toString('hex') };
}

const inbox = keyPair('inbox-1');
const rogue = keyPair('inbox-1');
const now = Date.parse('2026-11-27T02:00:00Z');
const plan: ApprovalPlan = {
  runbook: 'channel-recovery',
  title: { zh: '恢复通道 CZ.TO.ICBC', en: 'Recover CZ.TO.ICBC' },
  findings: [],
  actions: [
    {
      kind: 'mqsc',
      target: 'QM.CZ',
      command: 'START CHANNEL(CZ.TO.ICBC)',
      description: { zh: '启动', en: 'start' },
    },
  ],
};
const policy: GatePolicy = {
  roles: ['comm-approver'],
  quorum: 2,
  deputyRoles: ['finance-director'],
  remindAfterMs: 1000,
  escalateAfterMs: 2000,
  expireAfterMs: 3000,
  maxDecisionAgeMs: 300_000,
  proofMaxAgeMs: 3_600_000,
  startRoles: ['engineer'],
  signers: [{ keyId: 'inbox-1', publicKeyHex: inbox.publicKeyHex }],
  approvers: [
    { id: 'wang', displayName: '王审批', roles: ['comm-approver'] },
    { id: 'li', displayName: '李审批', roles: ['comm-approver'] },
    { id: 'zhao', displayName: '赵局长', roles: ['finance-director'] },
    { id: 'eng', displayName: '运维', roles: ['engineer', 'comm-approver'] },
  ],
  inboxUrl: 'http://localhost:8380',
};

function pending(): PendingApprovalView {
  return {
    gateId: 'execute-1',
    step: 'execute',
    runbook: 'channel-recovery',
    workflowId: 'channel-recovery/CZ.TO.ICBC/2026-11-27',
    requestedBy: 'eng',
    planDigest: planDigest(plan),
    plan,
    roles: ['comm-approver'],
    deputyRoles: ['finance-director'],
    escalated: false,
    quorum: 2,
    votes: [],
    openedAt: new Date(now).toISOString(),
    remindAt: '',
    escalateAt: '',
    expireAt: '',
    bankCodes: ['ICBC'],
  };
}

function context(overrides: Partial<DecisionContext> = {}): DecisionContext {
  return {
    namespace: 'default',
    workflowId: 'channel-recovery/CZ.TO.ICBC/2026-11-27',
    runId: 'run-1',
    requestedBy: 'eng',
    pending: pending(),
    policy,
    nowMs: now,
    usedNonces: new Set(),
    ...overrides,
  };
}

function claims(overrides: Partial<DecisionClaims> = {}): DecisionClaims {
  return {
    v: 2,
    namespace: 'default',
    workflowId: 'channel-recovery/CZ.TO.ICBC/2026-11-27',
    runId: 'run-1',
    gateId: 'execute-1',
    step: 'execute',
    planDigest: planDigest(plan),
    verdict: 'approve',
    user: 'wang',
    via: 'inbox',
    issuedAt: new Date(now - 5000).toISOString(),
    nonce: decisionNonce(),
    ...overrides,
  };
}

const reasonOf = (raw: unknown, ctx = context()) => {
  const check = checkDecision(raw, ctx);
  return check.ok ? 'ok' : check.reason;
};

describe('approval decision rules', () => {
  it('accepts a decision signed by a trusted key for this run, gate and plan', () => {
    const check = checkDecision(signDecision(claims(), inbox.signing), context());
    assert.equal(check.ok, true);
    assert.equal(check.ok && check.displayName, '王审批');
  });

  it('refuses each kind of bad decision with its own reason', () => {
    const signed = (c: Partial<DecisionClaims>) => signDecision(claims(c), inbox.signing);
    assert.equal(reasonOf({ claims: claims() }), 'malformed');
    assert.equal(reasonOf(signed({}), context({ pending: null })), 'no-pending-approval');
    assert.equal(reasonOf(signed({ workflowId: 'channel-recovery/CZ.TO.ABC/2026-11-27' })), 'wrong-workflow');
    assert.equal(reasonOf(signed({ namespace: 'another' })), 'wrong-workflow');
    assert.equal(reasonOf(signed({ runId: 'run-0' })), 'wrong-run');
    assert.equal(reasonOf(signed({ step: 'resolve-in-doubt' })), 'wrong-gate');
    const { namespace: _ns, runId: _run, step: _step, ...v1 } = claims();
    assert.equal(
      reasonOf(signDecision({ ...v1, v: 1 } as unknown as DecisionClaims, inbox.signing)),
      'malformed',
    );
    assert.equal(reasonOf(signDecision(claims(), rogue.signing)), 'bad-signature');
    assert.equal(reasonOf({ ...signed({}), keyId: 'someone-else' }), 'unknown-key');
    assert.equal(reasonOf(signed({ gateId: 'execute-2' })), 'wrong-gate');
    assert.equal(reasonOf(signed({ planDigest: planDigest({ ...plan, channel: 'X' }) })), 'wrong-plan');
    assert.equal(reasonOf(signed({ issuedAt: new Date(now - 301_000).toISOString() })), 'expired-decision');
    assert.equal(reasonOf(signed({ issuedAt: new Date(now + 301_000).toISOString() })), 'future-decision');
    assert.equal(reasonOf(signed({ user: 'nobody' })), 'unknown-user');
    assert.equal(reasonOf(signed({ user: 'eng' })), 'self-approval');
    assert.equal(reasonOf(signed({ user: 'zhao' })), 'wrong-role');
    assert.equal(reasonOf(signed({ verdict: 'reject' })), 'reason-required');
    assert.equal(reasonOf(signed({ verdict: 'reject', reason: ' ' })), 'reason-required');
    assert.equal(reasonOf(signed({ verdict: 'reject', reason: '计划不完整' })), 'ok');
  });

  it('refuses a decision by someone whose own access the plan changes', () => {
    const about = { ...plan, concerns: ['wang'] };
    const gate = { ...pending(), plan: about, planDigest: planDigest(about) };
    const decision = (user: string) =>
      signDecision(claims({ user, planDigest: planDigest(about) }), inbox.signing);
    assert.equal(reasonOf(decision('wang'), context({ pending: gate })), 'concerned-party');
    assert.equal(reasonOf(decision('li'), context({ pending: gate })), 'ok');
  });

  it('refuses a replayed decision and a second vote by the same person', () => {
    const first = signDecision(claims(), inbox.signing);
    const used = new Set([first.claims.nonce]);
    assert.equal(reasonOf(first, context({ usedNonces: used })), 'replayed');
    const gate = pending();
    gate.votes.push({
      user: 'wang',
      displayName: '王审批',
      role: 'comm-approver',
      verdict: 'approve',
      at: first.claims.issuedAt,
      via: 'inbox',
      keyId: 'inbox-1',
      nonce: first.claims.nonce,
    });
    assert.equal(
      reasonOf(signDecision(claims(), inbox.signing), context({ pending: gate })),
      'already-voted',
    );
    assert.equal(
      reasonOf(signDecision(claims({ user: 'li' }), inbox.signing), context({ pending: gate })),
      'ok',
    );
  });

  it('lets the deputy role decide once the gate is escalated', () => {
    const gate = { ...pending(), escalated: true, roles: ['comm-approver', 'finance-director'] };
    assert.equal(
      reasonOf(signDecision(claims({ user: 'zhao' }), inbox.signing), context({ pending: gate })),
      'ok',
    );
  });

  it('a signature over other claims does not carry over (tampered verdict)', () => {
    const signed = signDecision(claims({ verdict: 'reject', reason: '不同意' }), inbox.signing);
    const tampered = { ...signed, claims: { ...signed.claims, verdict: 'approve' as const } };
    assert.equal(reasonOf(tampered), 'bad-signature');
  });
});
