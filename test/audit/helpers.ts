/**
 * Shared pieces of the audit tests: a private SQLite audit store per test, entries of every
 * kind shaped as the runbooks write them, and direct SQL access for tampering.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openAuditDb, type AuditDb } from '../../connectors/audit/database.ts';
import type { AuditEntryInput } from '../../connectors/audit/record.ts';
import { sha256Hex } from '../../connectors/audit/record.ts';
import { canonicalJson } from '../../workflows/shared/canonical-json.ts';

export interface TempAuditStore {
  db: AuditDb;
  path: string;
  dir: string;
  /** Runs SQL on the file directly, as someone with database access would. */
  tamper(statement: string, ...params: unknown[]): void;
  cleanup(): Promise<void>;
}

export async function tempAuditStore(): Promise<TempAuditStore> {
  const dir = mkdtempSync(join(tmpdir(), 'jincai-audit-'));
  const path = join(dir, 'audit.db');
  const db = await openAuditDb({ adapter: 'sqlite', sqlite: { path } });
  return {
    db,
    path,
    dir,
    tamper(statement, ...params) {
      const raw = new Database(path);
      try {
        raw.prepare(statement).run(...params);
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

/** One run's entries in the order a runbook appends them. */
export function runEntries(workflowId = `channel-recovery/CZ.TO.ICBC/${randomUUID()}`): AuditEntryInput[] {
  const base = { workflowId, runId: randomUUID(), runbook: 'channel-recovery', subject: 'CZ.TO.ICBC' };
  const planDigest = sha256Hex(canonicalJson(samplePlan));
  return [
    {
      ...base,
      kind: 'run-started',
      actor: 'eng.zhang',
      payload: { requester: 'eng.zhang', inputDigest: sha256Hex('{"channel":"CZ.TO.ICBC"}') },
      idempotencyKey: `${workflowId}/run-started`,
    },
    {
      ...base,
      kind: 'plan',
      actor: 'eng.zhang',
      payload: { step: 'restart', planDigest, plan: samplePlan },
      idempotencyKey: `${workflowId}/plan/restart-1`,
    },
    {
      ...base,
      kind: 'decision',
      actor: 'fin.li',
      payload: {
        user: 'fin.li',
        displayName: '李审批',
        verdict: 'approve',
        reason: '同意重启',
        at: '2026-03-02T01:00:00.000Z',
        via: 'inbox',
        keyId: 'sandbox-inbox',
        nonce: 'a'.repeat(32),
        signature: 'b'.repeat(128),
        planDigest,
        step: 'restart',
      },
      idempotencyKey: `${workflowId}/decision/${'a'.repeat(32)}`,
    },
    {
      ...base,
      kind: 'mutation',
      actor: 'system',
      payload: {
        action: "START CHANNEL('CZ.TO.ICBC')",
        before: { status: 'RETRYING' },
        after: { status: 'RUNNING' },
      },
      idempotencyKey: `${workflowId}/mutation/start-channel`,
    },
    {
      ...base,
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
