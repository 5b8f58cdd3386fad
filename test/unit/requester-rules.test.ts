/**
 * The rules a run's requester is judged by (domain/approvals/requester-rules.ts): a start
 * assertion must be the front door's signature on this namespace, workflow id and type, task
 * queue and input, signed when the run started; a claim must be signed for this run, young, and
 * by someone the directory knows with a role that may start runbooks — and only while the run
 * waits to be claimed.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { signClaim, signStart } from '../../connectors/approvals/run-signing.ts';
import { decisionNonce, type SigningKey } from '../../connectors/approvals/signing-keys.ts';
import { planDigest } from '../../domain/approvals/decision.ts';
import {
  checkClaim,
  checkStart,
  type ClaimContext,
  type StartContext,
} from '../../domain/approvals/requester-rules.ts';
import type { ClaimClaims, StartClaims } from '../../domain/approvals/signed-claims.ts';

function keyPair(keyId: string): { signing: SigningKey; publicKeyHex: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  return { signing: { keyId, privateKey }, publicKeyHex: Buffer.from(x, 'base64url').toString('hex') };
}

const inbox = keyPair('inbox-1');
const other = keyPair('inbox-1');
const signers = [{ keyId: 'inbox-1', publicKeyHex: inbox.publicKeyHex }];
const now = Date.parse('2026-11-27T02:00:00Z');
const input = { bank: 'ICBC', requestedBy: 'eng' };
const run = { namespace: 'default', workflowId: 'channel-recovery/CZ.TO.ICBC/2026-11-27', runId: 'run-1' };

const start = (overrides: Partial<StartClaims> = {}, key = inbox.signing) =>
  signStart(
    {
      v: 1,
      kind: 'start',
      namespace: run.namespace,
      workflowId: run.workflowId,
      workflowType: 'channelRecovery',
      taskQueue: 'runbooks',
      inputDigest: planDigest(input),
      user: 'eng',
      via: 'inbox',
      issuedAt: new Date(now - 2_000).toISOString(),
      nonce: decisionNonce(),
      ...overrides,
    },
    key,
  );

const startContext = (overrides: Partial<StartContext> = {}): StartContext => ({
  namespace: run.namespace,
  workflowId: run.workflowId,
  workflowType: 'channelRecovery',
  taskQueue: 'runbooks',
  inputDigest: planDigest(input),
  startedAtMs: now,
  maxAgeMs: 300_000,
  signers,
  ...overrides,
});

const claim = (overrides: Partial<ClaimClaims> = {}, key = inbox.signing) =>
  signClaim(
    {
      v: 1,
      kind: 'claim',
      ...run,
      user: 'eng',
      via: 'cli',
      issuedAt: new Date(now - 5_000).toISOString(),
      nonce: decisionNonce(),
      ...overrides,
    },
    key,
  );

const users = [
  { id: 'eng', displayName: '张工程师', roles: ['engineer'] },
  { id: 'wang', displayName: '王审批', roles: ['comm-approver'] },
];
const claimContext = (overrides: Partial<ClaimContext> = {}): ClaimContext => ({
  ...run,
  policy: { signers, users, startRoles: ['engineer'], maxAgeMs: 300_000 },
  nowMs: now,
  ...overrides,
});

const startVerdict = (raw: unknown, ctx = startContext()) => {
  const check = checkStart(raw, ctx);
  return check.ok ? 'ok' : check.message;
};
const claimReason = (raw: unknown, ctx = claimContext()) => {
  const check = checkClaim(raw, ctx);
  return check.ok ? 'ok' : check.reason;
};

describe('start assertion', () => {
  it('holds when the front door signed this run, its input and its time', () => {
    assert.equal(startVerdict(start()), 'ok');
  });

  it('names what does not match the run', () => {
    assert.match(startVerdict(start({ workflowId: 'channel-recovery/CZ.TO.ABC/2026-11-27' })), /workflowId/);
    assert.match(startVerdict(start({ workflowType: 'sequenceResync' })), /workflowType/);
    assert.match(startVerdict(start({ taskQueue: 'rogue' })), /taskQueue/);
    assert.match(startVerdict(start({ namespace: 'other' })), /namespace/);
    const otherInput = planDigest({ ...input, requestedBy: 'someone.else' });
    assert.match(startVerdict(start({ inputDigest: otherInput })), /inputDigest/);
    assert.match(startVerdict(start({ issuedAt: new Date(now - 600_000).toISOString() })), /signed at/);
  });

  it('refuses another key, a changed claim and a malformed one', () => {
    assert.match(startVerdict(start({}, other.signing)), /signature: bad-signature/);
    assert.match(startVerdict({ ...start(), keyId: 'inbox-9' }), /signature: unknown-key/);
    const signed = start();
    assert.match(startVerdict({ ...signed, claims: { ...signed.claims, user: 'wang' } }), /bad-signature/);
    assert.match(startVerdict({ claims: {}, keyId: 'x', signature: '00' }), /^assertion\.claims/);
  });
});

describe('claim', () => {
  it('holds for a starter of this run while the run waits to be claimed', () => {
    const check = checkClaim(claim(), claimContext());
    assert.equal(check.ok && check.displayName, '张工程师');
  });

  it('is refused when the run is not waiting, or for another run', () => {
    assert.equal(claimReason(claim(), claimContext({ policy: null })), 'not-awaiting-claim');
    assert.equal(claimReason(claim({ runId: 'run-2' })), 'wrong-run');
    assert.equal(claimReason(claim({ workflowId: 'channel-recovery/CZ.TO.ABC/2026-11-27' })), 'wrong-run');
  });

  it('is refused unsigned, forged, old or from the future', () => {
    assert.equal(claimReason({ ...claim(), keyId: 'inbox-9' }), 'unknown-key');
    assert.equal(claimReason(claim({}, other.signing)), 'bad-signature');
    const signed = claim();
    assert.equal(claimReason({ ...signed, claims: { ...signed.claims, user: 'wang' } }), 'bad-signature');
    assert.equal(claimReason(claim({ issuedAt: new Date(now - 400_000).toISOString() })), 'expired-claim');
    assert.equal(claimReason(claim({ issuedAt: new Date(now + 400_000).toISOString() })), 'future-claim');
    assert.equal(claimReason({ claims: { kind: 'claim' } }), 'malformed');
  });

  it('is refused from someone unknown or without a role that may start runbooks', () => {
    assert.equal(claimReason(claim({ user: 'nobody' })), 'unknown-user');
    assert.equal(claimReason(claim({ user: 'wang' })), 'not-a-starter');
  });
});
