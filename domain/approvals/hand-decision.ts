/**
 * The operator's hand on a paused step (workflows/shared/operator-hand.ts): when a step fails past
 * its retry profile, or finds a state it did not expect, the run pauses and asks — retry the step,
 * skip it (with a reason, by a role the site allows), or abort the run (its compensations run, its
 * report is written). What a front door signs for that choice, after it has authenticated the
 * person: claims bound to the namespace, the run (workflow id and run id), the pause and its step,
 * the action, the person, a timestamp and a nonce — Ed25519 over canonical JSON behind a prefix of
 * its own, so a hand decision never passes for an approval, a start or a claim. The pause as a front
 * door sees it and the policy in force are here too. Pure: it runs inside workflows.
 */
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { canonicalJson } from '../canonical-json.ts';
import type { SignerKey } from './decision.ts';
import type { Bilingual } from './gate-types.ts';
import { verifyEnvelope, type EnvelopeCheck } from './signed-claims.ts';

export const handActions = ['retry', 'skip', 'abort'] as const;
export type HandAction = (typeof handActions)[number];

const hex = (bytes: number) =>
  z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `${bytes} bytes as lower-case hex`);

export const handClaimsSchema = z
  .object({
    v: z.literal(1),
    kind: z.literal('hand'),
    namespace: z.string().min(1).max(255),
    workflowId: z.string().min(1).max(255),
    runId: z.string().min(1).max(64),
    /** The pause decided on (`<step>-<n>`): a decision never lands on a later pause of the same step. */
    pauseId: z.string().min(1).max(100),
    step: z.string().min(1).max(100),
    action: z.enum(handActions),
    /** Required to skip or abort; an optional comment on a retry. */
    reason: z.string().max(1000).optional(),
    user: z.string().min(1).max(64),
    via: z.enum(['inbox', 'cli']),
    issuedAt: z.iso.datetime(),
    nonce: hex(16),
  })
  .strict();
export type HandClaims = z.infer<typeof handClaimsSchema>;

export const signedHandDecisionSchema = z
  .object({ claims: handClaimsSchema, keyId: z.string().min(1).max(64), signature: hex(64) })
  .strict();
export type SignedHandDecision = z.infer<typeof signedHandDecisionSchema>;

/** The exact bytes a front door signs for a hand decision. */
export function handMessage(claims: HandClaims): Uint8Array {
  return utf8ToBytes(`jincai-hand-decision/v1\n${canonicalJson(claims)}`);
}

export function verifyHandSignature(
  signed: SignedHandDecision,
  signers: readonly SignerKey[],
): EnvelopeCheck {
  return verifyEnvelope(handMessage(signed.claims), signed, signers);
}

/** Why a step paused: what failed past its retry profile, or the state it did not expect. */
export interface StepTrouble {
  cause: 'failed' | 'unexpected';
  /** The failure's type (an ErrorKind, a connector's error name, `UnexpectedState`). */
  type: string;
  message: string;
  /** The activity type, or the child workflow's id, that failed. */
  source?: string;
}

/** A step waiting for an operator, as the run shows it to front doors. */
export interface PausedStep {
  pauseId: string;
  step: string;
  runbook: string;
  workflowId: string;
  /** The run's requester: never the one to skip its steps. */
  requestedBy: string;
  trouble: StepTrouble;
  /** What the step found or was working on (bounded JSON; never secrets or payee data). */
  evidence?: unknown;
  /** How many times the step has run, this pause included. */
  attempts: number;
  /** The actions offered: skip only where the step can do without. */
  choices: HandAction[];
  /** What skipping means here, when offered. */
  skipMeans?: Bilingual;
  /** Who may take each action. */
  roles: Record<HandAction, string[]>;
  pausedAt: string;
  bankCodes: string[];
}

/** An operator's decision on a pause, as the run keeps it. */
export interface HandDecisionView {
  pauseId: string;
  step: string;
  action: HandAction;
  user: string;
  reason?: string;
  at: string;
  via: 'inbox' | 'cli';
  keyId: string;
  nonce: string;
}

/** A pause and how it ended, for the report and the front doors. */
export interface HandRecord {
  pause: Omit<PausedStep, 'roles' | 'runbook' | 'workflowId' | 'requestedBy' | 'bankCodes'>;
  decision: HandDecisionView;
}

export interface HandState {
  runbook: string;
  /** The run answering: a decision is signed for it, not for a later run. */
  runId: string;
  requestedBy: string;
  paused: PausedStep | null;
  decided: HandRecord[];
}

/** The policy in force for a run's pauses, read when the first one opens. */
export interface HandPolicy {
  roles: Record<HandAction, string[]>;
  /** The share of a fan-out's items (banks) that may fail before the run pauses and asks. */
  fanOutFailedShare: number;
  maxDecisionAgeMs: number;
  signers: SignerKey[];
  users: { id: string; displayName: string; roles: string[] }[];
  /** The inbox's address, for links to a paused step's page. */
  inboxUrl: string;
}

export interface HandReceipt {
  pauseId: string;
  action: HandAction;
}

/** Why a hand decision was refused; the update's failure carries it as `details[0]`. */
export const handRefusalReasons = [
  'malformed',
  'not-paused',
  'wrong-run',
  'unknown-key',
  'bad-signature',
  'replayed',
  'wrong-pause',
  'expired-decision',
  'future-decision',
  'unknown-user',
  'not-offered',
  'self-skip',
  'not-allowed',
  'reason-required',
] as const;
export type HandRefusalReason = (typeof handRefusalReasons)[number];

/** The most evidence a pause shows, as JSON characters: a history and a page stay small. */
export const evidenceChars = 8000;

/** Evidence as shown: the value itself, or its JSON cut short and said to be. */
export function boundedEvidence(value: unknown): unknown {
  const text = canonicalJson(value);
  return text.length <= evidenceChars ? value : { truncated: true, json: `${text.slice(0, evidenceChars)}…` };
}

/** The inbox page of a run's paused step (notifications link to it). */
export function pausedStepPath(workflowId: string): string {
  return `/paused/${encodeURIComponent(workflowId)}`;
}
