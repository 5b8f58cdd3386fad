/**
 * The provincial release repository as the engine reads it: the folder the site's `releases.dir`
 * names, one package folder each (domain/release-manifest.ts). Reading a package checks its
 * manifest against the schema and its signature against the province's keys the site trusts
 * (read afresh each time, so a key added after a rotation needs no restart); checking its files
 * streams each through SHA-256 and compares size and digest with the manifest.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  manifestSignatureSchema,
  packageFiles,
  packageIdPattern,
  releaseManifestSchema,
  verifyManifestSignature,
  type ReleaseManifest,
} from '../../domain/release-manifest.ts';
import { describeInputIssues } from '../../domain/errors.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { loadSignerKeys } from '../approvals/signing-keys.ts';

export type ReleasesConfig = NonNullable<SiteConfig['releases']>;

/** A package as read: its manifest when it parses, and every problem found with it. */
export type PackageRead =
  | { found: false }
  | { found: true; manifest: ReleaseManifest; problems: string[] }
  | { found: true; manifest?: undefined; problems: string[] };

export interface FileCheck {
  path: string;
  problem: string;
}

export type ReleasePackages = ReturnType<typeof createReleasePackages>;

export function createReleasePackages(releases: ReleasesConfig) {
  const dirOf = (id: string) => join(releases.dir, id);

  function read(id: string): PackageRead {
    if (!packageIdPattern.test(id) || !existsSync(join(dirOf(id), 'manifest.json'))) return { found: false };
    const text = readFileSync(join(dirOf(id), 'manifest.json'), 'utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      return { found: true, problems: [`manifest.json is not JSON: ${(err as Error).message}`] };
    }
    const parsed = releaseManifestSchema.safeParse(json);
    if (!parsed.success)
      return {
        found: true,
        problems: describeInputIssues(parsed.error).map((p) => p.replace(/^input/, 'manifest')),
      };
    const problems: string[] = [];
    if (`${parsed.data.product}-${parsed.data.version}` !== id)
      problems.push(
        `the folder is ${id} but the manifest is of ${parsed.data.product}-${parsed.data.version}`,
      );
    problems.push(...signatureProblems(id, text));
    return { found: true, manifest: parsed.data, problems };
  }

  function signatureProblems(id: string, manifestText: string): string[] {
    const sigFile = join(dirOf(id), 'manifest.sig');
    if (!existsSync(sigFile)) return ['manifest.sig is missing: the package is not signed'];
    let sig: unknown;
    try {
      sig = JSON.parse(readFileSync(sigFile, 'utf8'));
    } catch {
      return ['manifest.sig is not JSON'];
    }
    const signature = manifestSignatureSchema.safeParse(sig);
    if (!signature.success) return ['manifest.sig does not hold a key id and an Ed25519 signature'];
    const check = verifyManifestSignature(manifestText, signature.data, loadSignerKeys(releases, 'releases'));
    if (check === 'unknown-key')
      return [`signed with key ${signature.data.keyId}, which is not among the site's releases.signers`];
    if (check === 'bad-signature')
      return [`the signature of key ${signature.data.keyId} does not match the manifest`];
    return [];
  }

  return {
    read,
    /** Every package id in the repository, sorted. */
    list: (): string[] =>
      existsSync(releases.dir)
        ? readdirSync(releases.dir)
            .filter((id) => packageIdPattern.test(id))
            .sort()
        : [],
    /** A file of the package, for installing it. */
    filePath: (id: string, path: string) => join(dirOf(id), 'files', path),
    /** Each of the manifest's files whose size or SHA-256 differs from what the manifest lists. */
    async checkFiles(id: string, manifest: ReleaseManifest): Promise<FileCheck[]> {
      const problems: FileCheck[] = [];
      for (const f of packageFiles(manifest)) {
        const file = join(dirOf(id), 'files', f.path);
        if (!existsSync(file)) {
          problems.push({ path: f.path, problem: 'missing from the package' });
          continue;
        }
        const size = statSync(file).size;
        if (size !== f.size) {
          problems.push({ path: f.path, problem: `${size} bytes, the manifest says ${f.size}` });
          continue;
        }
        const digest = await sha256File(file);
        if (digest !== f.sha256)
          problems.push({ path: f.path, problem: `SHA-256 ${digest}, the manifest says ${f.sha256}` });
      }
      return problems;
    },
  };
}

/** SHA-256 of a file, streamed. */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
