/**
 * An upgrade package as the province distributes it (省厅下发): a folder in the release repository
 * holding `manifest.json` — the product (the subsystem kind it upgrades), its version, the versions
 * it upgrades from, its components with every file's path, size and SHA-256, the files it removes,
 * the database migrations forward and back, and the smoke checks — the files themselves under
 * `files/`, and `manifest.sig`: the province's Ed25519 signature over the manifest's exact bytes.
 * The signature vouches for the manifest, the manifest for every file. Pure: the engine's
 * activities, its workflows and the sandbox's release repository read the same schema.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import type { SignerKey } from './approvals/decision.ts';
import { subsystemKinds } from './subsystem-config.ts';

/** A package's id in the repository and in a runbook's input: `<product>-<version>`, its folder's name. */
export const packageIdPattern = /^[a-z][a-z0-9-]{1,39}-\d+(?:\.\d+){1,3}(?:-[a-z0-9]{1,12})?$/;
export const versionPattern = /^\d+(?:\.\d+){1,3}(?:-[a-z0-9]{1,12})?$/;

const version = z.string().regex(versionPattern, 'a version such as 3.5.0');
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 as 64 lower-case hex digits');

/** A path inside the application's folder: relative, plain characters, no `.` or `..` segments. */
export const appRelativePath = z
  .string()
  .max(200)
  .regex(
    /^[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*(?:\/[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*)*$/,
    'a relative path such as lib/pay-core.jar',
  );

/** A table a migration changes: a plain name short enough for its backup copy’s name on Oracle 12.1 (30 characters). */
export const tableName = z.string().regex(/^[a-z][a-z0-9_]{0,19}$/, 'a table name of at most 20 characters');

const fileSchema = z
  .object({ path: appRelativePath, size: z.number().int().nonnegative(), sha256: sha256Hex })
  .strict();
export type PackageFile = z.infer<typeof fileSchema>;

const migrationSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9._-]{1,60}$/, 'a migration id'),
    /** Every table the migration changes or creates: backed up before it runs, compared after a rollback. */
    tables: z.array(tableName).min(1).max(20),
    /** Statements run in order, one at a time; each journaled once done. */
    forward: z.array(z.string().min(1).max(4000)).min(1).max(50),
    /** The statement undoing each forward one, by position (a rollback runs those of the statements done, last first). */
    back: z.array(z.string().min(1).max(4000)).min(1).max(50),
  })
  .strict()
  .refine((m) => m.back.length === m.forward.length, {
    message: 'one back statement for each forward statement',
    path: ['back'],
  });
export type PackageMigration = z.infer<typeof migrationSchema>;

export const releaseManifestSchema = z
  .object({
    format: z.literal(1),
    /** The subsystem kind it upgrades (the site's subsystem of that kind). */
    product: z.enum(subsystemKinds),
    version,
    /** The installed versions it may be applied to. */
    upgradesFrom: z.array(version).min(1).max(20),
    releasedAt: z.iso.date(),
    /** The province's words, shown to approvers. */
    notes: z.string().max(2000).default(''),
    components: z
      .array(z.object({ name: z.string().min(1).max(64), files: z.array(fileSchema).max(20_000) }).strict())
      .min(1)
      .max(20),
    /** Files of the installed version the new one no longer has. */
    removes: z.array(appRelativePath).max(2000).default([]),
    database: z
      .object({
        /** The SQL dialect the statements are written in: the site's treasury adapter must match. */
        dialect: z.enum(['sqlite', 'oracle']),
        schemaFrom: z.string().min(1).max(20),
        schemaTo: z.string().min(1).max(20),
        migrations: z.array(migrationSchema).max(50),
      })
      .strict()
      .optional(),
    smoke: z
      .object({
        /** The health URL answers 2xx with the new version. */
        health: z.boolean().default(true),
        /** Each bank's link: a status query out and its answer back. */
        bankLinks: z.boolean().default(false),
        /** A read of the database: a table that must answer. */
        databaseRead: tableName.optional(),
      })
      .strict(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.components.forEach((c, i) =>
      c.files.forEach((f, j) => {
        if (seen.has(f.path))
          ctx.addIssue({
            code: 'custom',
            path: ['components', i, 'files', j, 'path'],
            message: `${f.path} twice`,
          });
        seen.add(f.path);
      }),
    );
    m.removes.forEach((p, i) => {
      if (seen.has(p))
        ctx.addIssue({ code: 'custom', path: ['removes', i], message: `${p} is also installed` });
    });
  });
export type ReleaseManifest = z.infer<typeof releaseManifestSchema>;

/** The id of the package holding `manifest`. */
export const packageIdOf = (m: { product: string; version: string }) => `${m.product}-${m.version}`;

/** Every file the package installs, in component order. */
export const packageFiles = (m: ReleaseManifest): PackageFile[] => m.components.flatMap((c) => c.files);

/** The bytes the package installs. */
export const packageBytes = (m: ReleaseManifest): number =>
  packageFiles(m).reduce((sum, f) => sum + f.size, 0);

/** `manifest.sig`: which of the province's keys signed, and the signature. */
export const manifestSignatureSchema = z
  .object({ keyId: z.string().min(1).max(64), signature: z.string().regex(/^[0-9a-f]{128}$/) })
  .strict();
export type ManifestSignature = z.infer<typeof manifestSignatureSchema>;

/** What the province signs: the manifest's bytes behind a prefix that keeps them from meaning anything else. */
export function manifestMessage(manifestText: string): Uint8Array {
  return utf8ToBytes(`jincai-release-manifest/v1\n${manifestText}`);
}

/** Whether `signature` is a trusted key's over `manifestText`. */
export function verifyManifestSignature(
  manifestText: string,
  signature: ManifestSignature,
  trusted: readonly SignerKey[],
): 'ok' | 'unknown-key' | 'bad-signature' {
  const key = trusted.find((k) => k.keyId === signature.keyId);
  if (!key) return 'unknown-key';
  try {
    return ed25519.verify(
      hexToBytes(signature.signature),
      manifestMessage(manifestText),
      hexToBytes(key.publicKeyHex),
    )
      ? 'ok'
      : 'bad-signature';
  } catch {
    return 'bad-signature';
  }
}

/** What is installed, as the package is checked against it. */
export interface InstalledRelease {
  version: string;
  schemaVersion?: string;
  dialect?: 'sqlite' | 'oracle';
}

/** Why the package may not be applied to what is installed (empty: it may). */
export function applicabilityProblems(
  m: Pick<ReleaseManifest, 'version' | 'upgradesFrom'> & {
    database?: Pick<NonNullable<ReleaseManifest['database']>, 'dialect' | 'schemaFrom'> | undefined;
  },
  installed: InstalledRelease,
): string[] {
  const problems: string[] = [];
  if (!m.upgradesFrom.includes(installed.version))
    problems.push(
      `the package upgrades ${m.upgradesFrom.join(', ')} to ${m.version}; ${installed.version} is installed`,
    );
  if (m.database) {
    if (installed.schemaVersion !== m.database.schemaFrom)
      problems.push(
        `its migrations start from schema ${m.database.schemaFrom}; the database is at ${installed.schemaVersion ?? '(unknown)'}`,
      );
    if (installed.dialect !== m.database.dialect)
      problems.push(
        `its migrations are written for ${m.database.dialect}; the database is ${installed.dialect ?? '(not reachable)'}`,
      );
  }
  return problems;
}
