/**
 * The signed chain head outside the store: a small JSON file naming the last record's seq and
 * hash, signed with the audit key and rewritten atomically (temporary file, fsync, rename) after
 * each append. Someone who can rewrite the database cannot move it back without the key, so a
 * truncated or re-hashed trail no longer matches it; copies kept elsewhere (evidence exports, a
 * WORM share) serve as anchors too, even against someone who can also replace this file.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { canonicalJson } from '../../domain/canonical-json.ts';
import type { SigningKey } from '../approvals/signing-keys.ts';
import { signatureFailure, signMessage, type AuditKeyRing } from './audit-keys.ts';
import type { ChainPoint } from './record.ts';

const headFormat = 'jincai-audit-head/v1';

const signedHeadSchema = z
  .object({
    format: z.literal(headFormat),
    seq: z.number().int().min(0),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    /** Records up to this seq were written before records were signed, and carry no signature. */
    legacyUntil: z.number().int().min(0),
    writtenAt: z.iso.datetime(),
    keyId: z.string().min(1).max(64),
    signature: z.string().regex(/^[0-9a-f]{128}$/),
  })
  .strict();
export type SignedHead = z.infer<typeof signedHeadSchema>;

/** A head read from a file or an export: valid and signed, or the reason it cannot anchor. */
export type HeadReading = { source: string } & (
  { head: SignedHead } | { problem: string; /** the file does not exist */ missing: boolean }
);

function headMessage(head: Omit<SignedHead, 'keyId' | 'signature'>): Buffer {
  const { format, seq, hash, legacyUntil, writtenAt } = head;
  return Buffer.from(`${format}\n${canonicalJson({ seq, hash, legacyUntil, writtenAt })}`, 'utf8');
}

export function signHead(point: ChainPoint, legacyUntil: number, key: SigningKey, now: Date): SignedHead {
  const unsigned = { format: headFormat, ...point, legacyUntil, writtenAt: now.toISOString() } as const;
  return { ...unsigned, keyId: key.keyId, signature: signMessage(headMessage(unsigned), key) };
}

/** Checks a parsed head: its shape and its signature by one of the audit keys. */
function checkHead(value: unknown, keys: AuditKeyRing, source: string): HeadReading {
  const parsed = signedHeadSchema.safeParse(value);
  if (!parsed.success) return { source, missing: false, problem: 'is not a signed audit head' };
  const head = parsed.data;
  const check = keys.check(headMessage(head), head.keyId, head.signature);
  if (check !== 'ok') return { source, missing: false, problem: signatureFailure(check, head.keyId) };
  return { source, head };
}

/**
 * Reads a head file, or the head an evidence export was made at (`head` of its JSON), so an
 * export or a copy kept elsewhere can anchor a verification.
 */
export async function readHeadFile(path: string, keys: AuditKeyRing): Promise<HeadReading> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    return {
      source: path,
      missing,
      problem: missing ? 'is missing' : `cannot be read (${(err as Error).message})`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { source: path, missing: false, problem: 'is not valid JSON' };
  }
  const exported = (value as { format?: unknown; head?: unknown } | null)?.format;
  if (typeof exported === 'string' && exported.startsWith('jincai-audit-evidence/'))
    value = (value as { head?: unknown }).head;
  return checkHead(value, keys, path);
}

export async function writeHeadFile(path: string, head: SignedHead): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(head, null, 2)}\n`, { mode: 0o644 });
}
