/**
 * Shared pieces of the audit tests: a private SQLite audit store per test (with its audit key
 * pair and head file), entries of every kind shaped as the runbooks write them (decisions signed
 * by a front-door key, as the inbox signs them), and direct SQL access for tampering.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createAuditActivities } from '../../activities/audit.ts';
import { signDecision, type SigningKey } from '../../connectors/approvals/signing-keys.ts';
import { openAuditDb, type AuditDb } from '../../connectors/audit/database.ts';
import type { AuditEntryInput } from '../../connectors/audit/record.ts';
import { sha256Hex } from '../../connectors/audit/record.ts';
import { auditVerifyOptions, createSiteAuditWriter } from '../../connectors/audit/site-audit.ts';
import type { AuditWriter } from '../../connectors/audit/store.ts';
import {
  verifyAuditTrail,
  type AuditVerification,
  type VerifyOptions,
} from '../../connectors/audit/verify.ts';
import type { SignerKey } from '../../domain/approvals/decision.ts';
import { canonicalJson } from '../../domain/canonical-json.ts';
import { mutationRecord } from '../../domain/mutation-record.ts';
import type { AuditConfig } from '../../temporal.config.ts';
import { testAuditSection } from '../support/audit-site.ts';

/** A front door's key pair, as the inbox holds it: decisions in `runEntries` are signed with it. */
export interface FrontDoorKey {
  signingKey: SigningKey;
  signer: SignerKey;
}

export function frontDoorKey(keyId = 'test-inbox'): FrontDoorKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x ?? '';
  return {
    signingKey: { keyId, privateKey },
    signer: { keyId, publicKeyHex: Buffer.from(x, 'base64url').toString('hex') },
  };
}

export const testFrontDoor = frontDoorKey();

export interface TempAuditStore {
  db: AuditDb;
  path: string;
  dir: string;
  audit: AuditConfig;
  writer: AuditWriter;
  appendAudit: ReturnType<typeof createAuditActivities>['appendAudit'];
  /** The keys and the head file `audit verify` would use, plus further anchors. */
  verifyOptions(...anchorFiles: string[]): Promise<VerifyOptions>;
  verify(...anchorFiles: string[]): Promise<AuditVerification>;
  /** Runs SQL on the file directly, as someone with database access would. */
  tamper(statement: string, ...params: unknown[]): void;
  /** Reads rows from the file directly. */
  rows(statement: string, ...params: unknown[]): unknown[];
  cleanup(): Promise<void>;
}

export async function tempAuditStore(options: { now?: () => Date } = {}): Promise<TempAuditStore> {
  const dir = mkdtempSync(join(tmpdir(), 'jincai-audit-'));
  const audit = testAuditSection(dir);
  const path = audit.sqlite?.path ?? '';
  const db = await openAuditDb(audit);
  const writer = createSiteAuditWriter(db, audit, options.now);
  const verifyOptions = (...anchorFiles: string[]) =>
    auditVerifyOptions(audit, [testFrontDoor.signer], anchorFiles);
  return {
    db,
    path,
    dir,
    audit,
    writer,
    appendAudit: createAuditActivities({ audit: writer }).appendAudit,
    verifyOptions,
    verify: async (...anchorFiles) => verifyAuditTrail(db, await verifyOptions(...anchorFiles)),
    tamper(statement, ...params) {
      const raw = new Database(path);
      try {
        raw.prepare(statement).run(...params);
      } finally {
        raw.close();
      }
    },
    rows(statement, ...params) {
      const raw = new Database(path, { readonly: true });
      try {
        return raw.prepare(statement).all(...params);
      } finally {
        raw.close();
      }
    },
    async cleanup() {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A store holding one run's five records (seq 1–5) and a second run's five (6–10). */
export async function filledStore(t: { after(fn: () => Promise<void>): void }): Promise<TempAuditStore> {
  const store = await tempAuditStore();
  t.after(() => store.cleanup());
  for (const e of [...runEntries(), ...runEntries()]) await store.appendAudit(e);
  return store;
}

export const samplePlan = {
  runbook: 'channel-recovery',
  title: { zh: '恢复通道 CZ.TO.ICBC', en: 'Recover channel CZ.TO.ICBC' },
  findings: [{ zh: '通道处于 RETRYING 状态', en: 'The channel is RETRYING' }],
  actions: [
    {
      kind: 'mqsc',
      target: 'QM.CZ',
      command: "START CHANNEL('CZ.TO.ICBC')",
      description: { zh: '启动发送通道', en: 'Start the sender channel' },
    },
  ],
};

/** A decision entry as the approval gate writes it: the vote and the whole signed decision. */
export function decisionEntry(
  base: { workflowId: string; runId: string; runbook: string },
  decision: {
    gateId: string;
    step: string;
    planDigest: string;
    user: string;
    displayName: string;
    reason?: string;
  },
  frontDoor: FrontDoorKey = testFrontDoor,
): AuditEntryInput {
  const claims = {
    v: 1 as const,
    workflowId: base.workflowId,
    gateId: decision.gateId,
    planDigest: decision.planDigest,
    verdict: 'approve' as const,
    reason: decision.reason ?? '同意重启',
    user: decision.user,
    via: 'inbox' as const,
    issuedAt: '2026-03-02T01:00:00.000Z',
    nonce: randomBytes(16).toString('hex'),
  };
  const signed = signDecision(claims, frontDoor.signingKey);
  return {
    ...base,
    kind: 'decision',
    actor: claims.user,
    subject: claims.gateId,
    payload: {
      user: claims.user,
      displayName: decision.displayName,
      verdict: claims.verdict,
      reason: claims.reason,
      at: claims.issuedAt,
      via: claims.via,
      keyId: signed.keyId,
      nonce: claims.nonce,
      signature: signed.signature,
      planDigest: claims.planDigest,
      step: decision.step,
      claims,
    },
    idempotencyKey: `${base.workflowId}/decision/${claims.nonce}`,
  };
}

/** One run's entries in the order a runbook appends them. */
export function runEntries(
  workflowId = `channel-recovery/CZ.TO.ICBC/${randomUUID()}`,
  frontDoor: FrontDoorKey = testFrontDoor,
): AuditEntryInput[] {
  const base = { workflowId, runId: randomUUID(), runbook: 'channel-recovery' };
  const planDigest = sha256Hex(canonicalJson(samplePlan));
  const gateId = 'restart-1';
  return [
    {
      ...base,
      subject: 'CZ.TO.ICBC',
      kind: 'run-started',
      actor: 'eng.zhang',
      payload: { requester: 'eng.zhang', inputDigest: sha256Hex('{"channel":"CZ.TO.ICBC"}') },
      idempotencyKey: `${workflowId}/run-started`,
    },
    {
      ...base,
      subject: gateId,
      kind: 'plan',
      actor: 'eng.zhang',
      payload: { step: 'restart', planDigest, plan: samplePlan },
      idempotencyKey: `${workflowId}/plan/${gateId}`,
    },
    decisionEntry(
      base,
      { gateId, step: 'restart', planDigest, user: 'fin.li', displayName: '李审批' },
      frontDoor,
    ),
    {
      ...base,
      subject: 'CZ.TO.ICBC',
      kind: 'mutation',
      actor: 'system',
      payload: mutationRecord(
        { gateId, planDigest, approvedBy: [{ user: 'fin.li', role: 'comm-approver' }] },
        {
          action: "START CHANNEL('CZ.TO.ICBC')",
          target: 'QM.CZ',
          before: { status: 'RETRYING' },
          after: { status: 'RUNNING' },
          alreadyDone: false,
        },
      ),
      idempotencyKey: `${workflowId}/mutation/start-channel`,
    },
    {
      ...base,
      subject: 'CZ.TO.ICBC',
      kind: 'outcome',
      actor: 'system',
      payload: { result: { outcome: 'recovered', channel: 'CZ.TO.ICBC' } },
      idempotencyKey: `${workflowId}/outcome`,
    },
  ];
}

/** A clock that returns the given instants one after another (then keeps the last). */
export function clock(...instants: string[]): () => Date {
  let i = 0;
  return () => new Date(instants[Math.min(i++, instants.length - 1)]!);
}
