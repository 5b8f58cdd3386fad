/**
 * Evidence export: the audit records of a range of business days (Asia/Shanghai), as a JSON
 * bundle a machine can re-check and an HTML page in Chinese for the bureau's files. The bundle
 * carries the anchors around the range — the hash the first record chains from and the hash of
 * the last — so a reader can recompute the range and match it against the chain (the chain
 * head, or the anchors of an earlier or later export), the records' signatures, and the signed
 * head the export was made at: kept with the bureau's files, it anchors later verifications
 * (`runbook audit verify --anchor evidence.json`) even if the head file is lost or moved back.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AuditDb } from './database.ts';
import { renderEvidenceHtml } from './evidence-html.ts';
import { legacyUntil, validAnchors } from './anchors.ts';
import type { SignedHead } from './head-file.ts';
import { GENESIS_HASH, hashRule, signatureRule, type AuditRecord, type ChainPoint } from './record.ts';
import {
  readChainHead,
  readSnapshot,
  verifyAuditTrail,
  verifyRecords,
  type AuditVerification,
  type VerifyOptions,
} from './verify.ts';

export const evidenceTimeZone = 'Asia/Shanghai';
// China has kept UTC+8 without daylight saving since 1991; a fixed offset makes day bounds exact.
const zoneOffset = '+08:00';
const dayMs = 86_400_000;

export interface EvidenceBundle {
  format: 'jincai-audit-evidence/v1';
  site: string | null;
  range: { from: string; to: string; timeZone: string; fromUtc: string; toUtcExclusive: string };
  generatedAt: string;
  hashRule: string;
  signatureRule: string;
  /** The signed head file as it stood at export (null when it was missing or not validly signed). */
  head: SignedHead | null;
  anchors: {
    /** What the first record chains from: the hash of the record just before the range. */
    before: { seq: number; hash: string | null };
    /** The hash of the last record of the range (equal to `before` when the range is empty). */
    end: { seq: number; hash: string | null };
  };
  /** The store's own head row at export; unlike `head`, anyone who can write the store can move it. */
  chainHead: ChainPoint | null;
  verification: {
    /** The whole trail, at export time. */
    chain: AuditVerification;
    /** The exported records alone, from `anchors.before` to `anchors.end`. */
    range: AuditVerification;
  };
  /**
   * Every record from the first to the last seq recorded in the range, so the range is an
   * unbroken piece of the chain (a record timed just outside it by a skewed clock stays in).
   */
  records: AuditRecord[];
}

export interface EvidenceOptions {
  from: string;
  to: string;
  /** The keys and signed heads the trail is verified with (siteVerifyOptions). */
  verify: VerifyOptions;
  /** Default `<reportsDir>/evidence/<from>_<to>`. */
  outDir?: string;
  /** Default `reports` under the working directory. */
  reportsDir?: string;
  siteName?: string;
  language?: 'zh' | 'en';
  now?: () => Date;
}

export interface EvidenceExport {
  dir: string;
  jsonFile: string;
  htmlFile: string;
  bundle: EvidenceBundle;
}

/** Problems with a requested range, each naming its field (`from`, `to`); empty when valid. */
export function evidenceRangeProblems(range: { from?: string; to?: string }): string[] {
  const problems: string[] = [];
  for (const field of ['from', 'to'] as const) {
    const value = range[field];
    if (value === undefined || value === '') problems.push(`${field}: required, a date as YYYY-MM-DD`);
    else if (!isCalendarDate(value))
      problems.push(`${field}: expected a real date as YYYY-MM-DD, got "${value}"`);
  }
  const { from = '', to = '' } = range;
  if (problems.length === 0 && from > to)
    problems.push(`from: ${from} is after to (${to}); expected from <= to`);
  return problems;
}

function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export class EvidenceRangeError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid evidence range: ${problems.join('; ')}`);
    this.name = 'EvidenceRangeError';
  }
}

export async function exportEvidence(db: AuditDb, options: EvidenceOptions): Promise<EvidenceExport> {
  const problems = evidenceRangeProblems(options);
  if (problems.length) throw new EvidenceRangeError(problems);
  const { from, to } = options;
  const fromUtc = new Date(`${from}T00:00:00${zoneOffset}`).toISOString();
  const toUtcExclusive = new Date(new Date(`${to}T00:00:00${zoneOffset}`).getTime() + dayMs).toISOString();

  const { records, before, chainHead } = await readRange(db, fromUtc, toUtcExclusive);
  const last = records.at(-1);
  const end = last ? { seq: last.seq, hash: last.hash } : before;
  const { verify } = options;
  const range = verifyRecords(records, {
    keys: verify.keys,
    legacyUntil: legacyUntil(verify.anchors),
    start: { seq: before.seq, hash: before.hash ?? records[0]?.prev_hash ?? GENESIS_HASH },
    ...(end.hash !== null && { end: { seq: end.seq, hash: end.hash } }),
  });
  if (before.hash === null) {
    range.ok = false;
    range.problems.unshift({
      seq: before.seq,
      kind: 'removed',
      problem: `record seq ${before.seq}, which the range chains from, is missing`,
    });
  }
  const bundle: EvidenceBundle = {
    format: 'jincai-audit-evidence/v1',
    site: options.siteName ?? null,
    range: { from, to, timeZone: evidenceTimeZone, fromUtc, toUtcExclusive },
    generatedAt: (options.now?.() ?? new Date()).toISOString(),
    hashRule,
    signatureRule,
    head: validAnchors(verify.anchors)[0]?.head ?? null,
    anchors: { before, end },
    chainHead,
    verification: { chain: await verifyAuditTrail(db, verify), range },
    records,
  };

  const dir = resolve(options.outDir ?? join(options.reportsDir ?? 'reports', 'evidence', `${from}_${to}`));
  await mkdir(dir, { recursive: true });
  const jsonFile = join(dir, 'evidence.json');
  const htmlFile = join(dir, 'evidence.html');
  await writeFile(jsonFile, `${JSON.stringify(bundle, null, 2)}\n`);
  await writeFile(htmlFile, renderEvidenceHtml(bundle, options.language ?? 'zh'));
  return { dir, jsonFile, htmlFile, bundle };
}

async function readRange(db: AuditDb, fromUtc: string, toUtcExclusive: string) {
  return readSnapshot(db, async (trx) => {
    const chainHead = await readChainHead(trx);
    const span = await trx
      .selectFrom('audit_records')
      .select((eb) => [eb.fn.min('seq').as('first'), eb.fn.max('seq').as('last')])
      .where('recorded_at', '>=', fromUtc)
      .where('recorded_at', '<', toUtcExclusive)
      .executeTakeFirstOrThrow();
    const hashAt = async (seq: number) =>
      seq === 0
        ? GENESIS_HASH
        : ((await trx.selectFrom('audit_records').select('hash').where('seq', '=', seq).executeTakeFirst())
            ?.hash ?? null);

    if (span.first === null || span.last === null) {
      const { seq } = await trx
        .selectFrom('audit_records')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .where('recorded_at', '<', fromUtc)
        .executeTakeFirstOrThrow();
      const at = Number(seq ?? 0);
      return { records: [] as AuditRecord[], before: { seq: at, hash: await hashAt(at) }, chainHead };
    }
    const first = Number(span.first);
    const rows = await trx
      .selectFrom('audit_records')
      .selectAll()
      .where('seq', '>=', first)
      .where('seq', '<=', Number(span.last))
      .orderBy('seq')
      .orderBy('hash')
      .execute();
    const records: AuditRecord[] = rows.map((r) => ({ ...r, seq: Number(r.seq) }));
    return { records, before: { seq: first - 1, hash: await hashAt(first - 1) }, chainHead };
  });
}
