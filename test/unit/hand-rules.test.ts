/**
 * The rules an operator's hand decision is judged by (domain/approvals/hand-rules.ts): the front
 * door's signature on this run and this pause, young and used once, by someone the directory knows
 * with a role the site gives the choice; a skip only where the step offers one, never by the run's
 * requester, and a skip or an abort with a reason.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { signHandDecision } from '../../connectors/approvals/run-signing.ts';
import { decisionNonce, type SigningKey } from '../../connectors/approvals/signing-keys.ts';
import {
  boundedEvidence,
  evidenceChars,
  type HandClaims,
  type HandPolicy,
  type PausedStep,
} from '../../domain/approvals/hand-decision.ts';
import { checkHandDecision, type HandContext } from '../../domain/approvals/hand-rules.ts';

function keyPair(keyId: string): { signing: SigningKey; publicKeyHex: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  return { signing: { keyId, privateKey }, publicKeyHex: Buffer.from(x, 'base64url').toString('hex') };
}

const inbox = keyPair('inbox-1');
const forger = keyPair('inbox-1');
const now = Date.parse('2026-12-28T02:00:00Z');
const run = { namespace: 'default', workflowId: 'channel-recovery/CZ.TO.ICBC/2026-12-28', runId: 'run-1' };

const paused: PausedStep = {
  pauseId: 'execute:start-1',
  step: 'execute:start',
  runbook: 'channel-recovery',
  workflowId: run.workflowId,
  requestedBy: 'eng',
  trouble: { cause: 'failed', type: 'MqAuthFailed', message: 'AMQ8135E: Not authorized.' },
  attempts: 1,
  choices: ['retry', 'skip', 'abort'],
  skipMeans: { zh: '已由人工完成', en: 'done by hand' },
  roles: { retry: ['engineer'], skip: ['comm-approver'], abort: ['engineer'] },
  pausedAt: new Date(now - 60_000).toISOString(),
  bankCodes: ['ICBC'],
};

const policy: HandPolicy = {
  roles: paused.roles,
  fanOutFailedShare: 0.2,
  maxDecisionAgeMs: 300_000,
  signers: [{ keyId: 'inbox-1', publicKeyHex: inbox.publicKeyHex }],
  users: [
    { id: 'eng', displayName: '张工', roles: ['engineer', 'comm-approver'] },
    { id: 'ops', displayName: '值班员', roles: ['engineer'] },
    { id: 'wang', displayName: '王审批', roles: ['comm-approver'] },
  ],
  inboxUrl: 'http://localhost:8380',
};

const context = (overrides: Partial<HandContext> = {}): HandContext => ({
  ...run,
  requestedBy: 'eng',
  paused,
  policy,
  nowMs: now,
  usedNonces: new Set(),
  ...overrides,
});

const decision = (
  user: string,
  action: HandClaims['action'],
  overrides: Partial<HandClaims> = {},
  key = inbox.signing,
) =>
  signHandDecision(
    {
      v: 1,
      kind: 'hand',
      ...run,
      pauseId: paused.pauseId,
      step: paused.step,
      action,
      ...(action !== 'retry' && { reason: '已与工行确认' }),
      user,
      via: 'inbox',
      issuedAt: new Date(now - 1_000).toISOString(),
      nonce: decisionNonce(),
      ...overrides,
    },
    key,
  );

const refusal = (raw: unknown, ctx = context()) => {
  const check = checkHandDecision(raw, ctx);
  return check.ok ? 'accepted' : check.reason;
};

describe('a hand decision', () => {
  it('is accepted when signed for this run and pause, by a role the site gives the choice', () => {
    assert.equal(refusal(decision('ops', 'retry')), 'accepted');
    assert.equal(refusal(decision('eng', 'abort')), 'accepted');
    assert.equal(refusal(decision('wang', 'skip')), 'accepted');
  });

  it('is refused when forged, unsigned, for another run or pause, or out of its time', () => {
    const good = decision('ops', 'retry');
    assert.equal(refusal(decision('ops', 'retry', {}, forger.signing)), 'bad-signature');
    assert.equal(refusal({ ...good, keyId: 'inbox-9' }), 'unknown-key');
    assert.equal(refusal({ claims: good.claims, keyId: good.keyId }), 'malformed');
    assert.equal(refusal(decision('ops', 'retry', { runId: 'run-2' })), 'wrong-run');
    assert.equal(refusal(decision('ops', 'retry', { namespace: 'other' })), 'wrong-run');
    assert.equal(refusal(decision('ops', 'retry', { pauseId: 'execute:start-2' })), 'wrong-pause');
    assert.equal(
      refusal(decision('ops', 'retry', { issuedAt: new Date(now - 301_000).toISOString() })),
      'expired-decision',
    );
    assert.equal(
      refusal(decision('ops', 'retry', { issuedAt: new Date(now + 301_000).toISOString() })),
      'future-decision',
    );
    assert.equal(refusal(good, context({ usedNonces: new Set([good.claims.nonce]) })), 'replayed');
    assert.equal(refusal(good, context({ paused: null })), 'not-paused');
  });

  it('is refused to an unknown user, a role the site does not give it, and a choice not offered', () => {
    assert.equal(refusal(decision('nobody', 'retry')), 'unknown-user');
    assert.equal(refusal(decision('wang', 'retry')), 'not-allowed');
    assert.equal(refusal(decision('ops', 'skip')), 'not-allowed');
    const noSkip = { ...paused, choices: ['retry', 'abort'] as PausedStep['choices'] };
    assert.equal(refusal(decision('wang', 'skip'), context({ paused: noSkip })), 'not-offered');
  });

  it('never lets the requester skip, and wants a reason to skip or abort', () => {
    assert.equal(refusal(decision('eng', 'skip')), 'self-skip');
    assert.equal(refusal(decision('wang', 'skip', { reason: ' ' })), 'reason-required');
    assert.equal(refusal(decision('ops', 'abort', { reason: undefined })), 'reason-required');
  });
});

describe('the evidence a pause shows', () => {
  it('is kept whole when small and cut short, said to be, when not', () => {
    assert.deepEqual(boundedEvidence({ status: 'RETRYING' }), { status: 'RETRYING' });
    const big = boundedEvidence({ lines: 'x'.repeat(evidenceChars * 2) }) as {
      truncated: boolean;
      json: string;
    };
    assert.equal(big.truncated, true);
    assert.equal(big.json.length, evidenceChars + 1);
  });
});
