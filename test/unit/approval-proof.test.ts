import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { signClaim, signStart } from '../../connectors/approvals/run-signing.ts';
import { decisionNonce, signDecision, type SigningKey } from '../../connectors/approvals/signing-keys.ts';
import { planDigest, type DecisionClaims } from '../../domain/approvals/decision.ts';
import type { ApprovalPlan } from '../../domain/approvals/gate-types.ts';
import {
  listDigest,
  verifyProof,
  type ApprovalProof,
  type ProofAction,
  type ProofContext,
} from '../../domain/approvals/proof.ts';

function keyPair(keyId: string): { signing: SigningKey; publicKeyHex: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  return { signing: { keyId, privateKey }, publicKeyHex: Buffer.from(x, 'base64url').toString('hex') };
}

const inbox = keyPair('inbox-1');
const rogue = keyPair('inbox-1');
const now = Date.parse('2026-11-27T02:00:00Z');
const run = { namespace: 'default', workflowId: 'channel-recovery/CZ.TO.ICBC/2026-11-27', runId: 'run-2' };
const start = 'START CHANNEL(CZ.TO.ICBC)';
const vouchers = [['V1', 'V2'], ['V3']];
const plan: ApprovalPlan = {
  runbook: 'channel-recovery',
  title: { zh: '恢复通道 CZ.TO.ICBC', en: 'Recover CZ.TO.ICBC' },
  findings: [],
  actions: [
    { kind: 'mqsc', target: 'QM.CZ', command: start, description: { zh: '启动', en: 'start' } },
    {
      kind: 'sql',
      target: 'treasury',
      command: 'UPDATE vouchers … IN (:list resend)',
      description: { zh: '重发', en: 'resend' },
      list: 'resend',
    },
  ],
  lists: [{ name: 'resend', count: 3, digest: listDigest(vouchers.map((v) => planDigest(v))) }],
};
const users = [
  { id: 'eng', roles: ['engineer'] },
  { id: 'wang', roles: ['comm-approver'] },
  { id: 'li', roles: ['comm-approver'] },
  { id: 'zhao', roles: ['finance-director'] },
  { id: 'ops', roles: ['operator'] },
];

function decision(user: string, overrides: Partial<DecisionClaims> = {}, key = inbox.signing) {
  const claims: DecisionClaims = {
    v: 2,
    ...run,
    gateId: 'execute-1',
    step: 'execute',
    planDigest: planDigest(plan),
    verdict: 'approve',
    user,
    via: 'inbox',
    issuedAt: new Date(now - 60_000).toISOString(),
    nonce: decisionNonce(),
    ...overrides,
  };
  return signDecision(claims, key);
}

const startEvidence = (user = 'eng', workflowId = run.workflowId) =>
  signStart(
    {
      v: 1,
      kind: 'start',
      namespace: run.namespace,
      workflowId,
      workflowType: 'channelRecovery',
      taskQueue: 'runbooks',
      inputDigest: planDigest({ bank: 'ICBC' }),
      user,
      via: 'inbox',
      issuedAt: new Date(now - 600_000).toISOString(),
      nonce: decisionNonce(),
    },
    inbox.signing,
  );

function proof(overrides: Partial<ApprovalProof> = {}): ApprovalProof {
  return {
    v: 1,
    run,
    runbook: 'channel-recovery',
    gateId: 'execute-1',
    step: 'execute',
    plan,
    decisions: [decision('wang'), decision('li')],
    requester: { user: 'eng', via: 'start', evidence: startEvidence() },
    ...overrides,
  };
}

function context(overrides: Partial<ProofContext> = {}): ProofContext {
  return {
    caller: { ...run, originalRunId: 'run-1' },
    approvedOriginalRunId: 'run-1',
    signers: [{ keyId: 'inbox-1', publicKeyHex: inbox.publicKeyHex }],
    policy: { roles: ['comm-approver'], deputyRoles: ['finance-director'], quorum: 2 },
    users,
    startRoles: ['engineer'],
    nowMs: now,
    maxAgeMs: 3_600_000,
    actions: [{ kind: 'mqsc', target: 'QM.CZ', command: start }],
    ...overrides,
  };
}

const reasonOf = (p: unknown, ctx = context()) => {
  const check = verifyProof(p, ctx);
  return check.ok ? 'ok' : check.reason;
};

describe('approval proof', () => {
  it('holds for the approved run, its plan, quorum and requester, at the moment of the change', () => {
    const check = verifyProof(proof(), context());
    assert.equal(check.ok, true);
    assert.deepEqual(check.ok && check.approvers, ['wang', 'li']);
  });

  it('holds for a direct child of the approved run, and for no other run', () => {
    const child = {
      namespace: 'default',
      workflowId: `${run.workflowId}/batch-1`,
      runId: 'c-1',
      originalRunId: 'c-1',
    };
    assert.equal(reasonOf(proof(), context({ caller: { ...child, parent: run } })), 'ok');
    assert.equal(
      reasonOf(proof(), context({ caller: { ...run, runId: 'run-3', originalRunId: 'run-1' } })),
      'wrong-run',
    );
    assert.equal(
      reasonOf(proof(), context({ caller: { ...child, parent: { ...run, runId: 'run-3' } } })),
      'wrong-run',
    );
    assert.equal(
      reasonOf(proof(), context({ caller: { ...run, namespace: 'other', originalRunId: 'run-1' } })),
      'wrong-run',
    );
  });

  it('refuses decisions bound elsewhere, unsigned, forged, or for another plan', () => {
    assert.equal(reasonOf({ ...proof(), decisions: 'x' }), 'malformed');
    assert.equal(
      reasonOf(proof({ decisions: [decision('wang', { runId: 'run-1' }), decision('li')] })),
      'not-bound',
    );
    assert.equal(
      reasonOf(proof({ decisions: [decision('wang', { gateId: 'execute-2' }), decision('li')] })),
      'not-bound',
    );
    assert.equal(
      reasonOf(proof({ decisions: [decision('wang', { step: 'resolve-in-doubt' }), decision('li')] })),
      'not-bound',
    );
    assert.equal(reasonOf(proof({ runbook: 'voucher-resend' })), 'not-bound');
    assert.equal(
      reasonOf(proof({ decisions: [decision('wang', {}, rogue.signing), decision('li')] })),
      'bad-signature',
    );
    assert.equal(
      reasonOf(proof({ decisions: [{ ...decision('wang'), keyId: 'gone' }, decision('li')] })),
      'unknown-key',
    );
    assert.equal(reasonOf(proof({ plan: { ...plan, channel: 'CZ.TO.ABC' } })), 'wrong-plan');
    const reject = decision('li', { verdict: 'reject', reason: '不同意' });
    assert.equal(reasonOf(proof({ decisions: [decision('wang'), reject] })), 'rejected');
  });

  it('counts distinct approvers who hold the role by the current directory and policy', () => {
    assert.equal(reasonOf(proof({ decisions: [decision('wang'), decision('wang')] })), 'no-quorum');
    assert.equal(reasonOf(proof({ decisions: [decision('wang'), decision('ops')] })), 'wrong-role');
    assert.equal(reasonOf(proof({ decisions: [decision('wang'), decision('nobody')] })), 'unknown-user');
    const demoted = users.map((u) => (u.id === 'li' ? { ...u, roles: ['engineer'] } : u));
    assert.equal(reasonOf(proof(), context({ users: demoted })), 'wrong-role');
    assert.equal(reasonOf(proof({ decisions: [decision('wang'), decision('zhao')] })), 'ok');
    const stricter = context({ policy: { roles: ['comm-approver'], deputyRoles: [], quorum: 3 } });
    assert.equal(reasonOf(proof(), stricter), 'no-quorum');
  });

  it('refuses an approval by someone whose own access the plan changes', () => {
    const about = { ...plan, concerns: ['li'] };
    const signed = (user: string) => decision(user, { planDigest: planDigest(about) });
    assert.equal(
      reasonOf(proof({ plan: about, decisions: [signed('wang'), signed('li')] })),
      'concerned-party',
    );
    assert.equal(reasonOf(proof({ plan: about, decisions: [signed('wang'), signed('zhao')] })), 'ok');
  });

  it('applies four-eyes to the verified requester, whose evidence must hold', () => {
    const asWang = { user: 'wang', via: 'start' as const, evidence: startEvidence('wang') };
    const users2 = users.map((u) => (u.id === 'wang' ? { ...u, roles: ['comm-approver', 'engineer'] } : u));
    assert.equal(reasonOf(proof({ requester: asWang }), context({ users: users2 })), 'self-approval');
    assert.equal(reasonOf(proof({ requester: { ...asWang, user: 'eng' } })), 'requester-unverified');
    assert.equal(reasonOf(proof({ requester: { user: 'eng', via: 'unverified' } })), 'requester-unverified');
    const forged = { ...startEvidence(), signature: startEvidence().signature.replace(/^../, '00') };
    assert.equal(
      reasonOf(proof({ requester: { user: 'eng', via: 'start', evidence: forged } })),
      'requester-unverified',
    );
    const elsewhere = startEvidence('eng', 'channel-recovery/CZ.TO.ABC/2026-11-27');
    assert.equal(
      reasonOf(proof({ requester: { user: 'eng', via: 'start', evidence: elsewhere } })),
      'requester-unverified',
    );
    const claim = (runId: string, user = 'eng') =>
      signClaim(
        {
          v: 1,
          kind: 'claim',
          ...run,
          runId,
          user,
          via: 'cli',
          issuedAt: new Date(now).toISOString(),
          nonce: decisionNonce(),
        },
        inbox.signing,
      );
    assert.equal(
      reasonOf(proof({ requester: { user: 'eng', via: 'claim', evidence: claim('run-1') } })),
      'ok',
    );
    assert.equal(
      reasonOf(proof({ requester: { user: 'eng', via: 'claim', evidence: claim('run-9') } })),
      'requester-unverified',
    );
    const byOps = { user: 'ops', via: 'claim' as const, evidence: claim('run-2', 'ops') };
    assert.equal(reasonOf(proof({ requester: byOps })), 'requester-unverified');
  });

  it('refuses an approval older than the limit at the moment of the change', () => {
    const old = new Date(now - 3_700_000).toISOString();
    assert.equal(reasonOf(proof({ decisions: [decision('wang', { issuedAt: old }), decision('li')] })), 'ok');
    assert.equal(
      reasonOf(
        proof({ decisions: [decision('wang', { issuedAt: old }), decision('li', { issuedAt: old })] }),
      ),
      'stale',
    );
    assert.equal(reasonOf(proof(), context({ nowMs: now + 3_600_000 })), 'stale');
  });

  it('covers only the plan’s actions, and only items of the approved lists', () => {
    const act = (actions: ProofAction[]) => reasonOf(proof(), context({ actions }));
    assert.equal(
      act([{ kind: 'mqsc', target: 'QM.CZ', command: 'STOP CHANNEL(CZ.TO.ICBC) MODE(QUIESCE)' }]),
      'not-in-plan',
    );
    assert.equal(act([{ kind: 'mqsc', target: 'QM.ICBC', command: start }]), 'not-in-plan');
    assert.equal(act([{ kind: 'sql', target: 'treasury', command: start }]), 'not-in-plan');
    const parts = vouchers.map((v) => planDigest(v));
    const listed = (items: string[], index: number, part: string[], list = 'resend'): ProofAction => ({
      kind: 'sql',
      target: 'treasury',
      command: 'UPDATE vouchers … IN (:list resend)',
      list,
      items,
      membership: { parts, index, part },
    });
    assert.equal(act([listed(['V3'], 1, ['V3'])]), 'ok');
    assert.equal(act([listed(['V1', 'V2'], 0, ['V1', 'V2'])]), 'ok');
    assert.equal(act([listed(['V9'], 1, ['V3'])]), 'not-in-plan');
    assert.equal(act([listed(['V9'], 1, ['V3', 'V9'])]), 'not-in-plan');
    assert.equal(act([listed(['V3'], 1, ['V3'], 'align')]), 'not-in-plan');
  });
});
