/**
 * The province's release repository as the sandbox plays it: the province's release key (Ed25519,
 * made on first use; the site's `releases.signers` names its public half), and packages written
 * into the repository folder the site's `releases.dir` names — `<product>-<version>/` with
 * `files/`, `manifest.json` listing every file's size and SHA-256, and `manifest.sig`, the
 * province's signature over the manifest's bytes. A package is written whole under a temporary name
 * and renamed into place, so the engine never reads half of one.
 */
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureSigningKeyPair } from '../../connectors/approvals/signing-keys.ts';
import {
  manifestMessage,
  packageIdOf,
  releaseManifestSchema,
  type PackageMigration,
  type ReleaseManifest,
} from '../../domain/release-manifest.ts';
import type { SubsystemKind } from '../../domain/subsystem-config.ts';

/** The key id the sandbox's province signs with. */
export const provinceReleaseKeyId = 'province-release';

/** The province's release key files under the sandbox's data folder. */
export const releaseKeyFiles = (dataDir: string) => ({
  privateKeyFile: join(dataDir, 'estate', 'province', 'release-signing.key'),
  publicKeyFile: join(dataDir, 'estate', 'province', 'release-signing.pub'),
});

/** What a package is made of before it is written: its files and what the manifest says beside them. */
export interface PackageSpec {
  product: SubsystemKind;
  version: string;
  upgradesFrom: string[];
  notes: string;
  /** Components by name, each with its files (path → bytes). */
  components: { name: string; files: Map<string, Buffer> }[];
  removes?: string[];
  database?: { schemaFrom: string; schemaTo: string; migrations: PackageMigration[] };
  smoke: ReleaseManifest['smoke'];
  /**
   * Files stretched to this size, sparse (a package too large for the host): the manifest lists the
   * size, and a SHA-256 of the bytes given, which nobody reaches, since the space check refuses first.
   */
  declaredSizes?: Map<string, number>;
}

export type ReleaseRepository = ReturnType<typeof createReleaseRepository>;

export function createReleaseRepository(options: { dir: string; dataDir: string; today: () => string }) {
  const keys = releaseKeyFiles(options.dataDir);
  ensureSigningKeyPair(keys.privateKeyFile, keys.publicKeyFile);
  const privateKey = createPrivateKey(readFileSync(keys.privateKeyFile, 'utf8'));

  /** Writes the package; returns its id. */
  function publish(spec: PackageSpec): string {
    const manifest: ReleaseManifest = releaseManifestSchema.parse({
      format: 1,
      product: spec.product,
      version: spec.version,
      upgradesFrom: spec.upgradesFrom,
      releasedAt: options.today(),
      notes: spec.notes,
      components: spec.components.map((c) => ({
        name: c.name,
        files: [...c.files].map(([path, bytes]) => ({
          path,
          size: spec.declaredSizes?.get(path) ?? bytes.length,
          sha256: createHash('sha256').update(bytes).digest('hex'),
        })),
      })),
      removes: spec.removes ?? [],
      ...(spec.database && { database: { dialect: 'sqlite', ...spec.database } }),
      smoke: spec.smoke,
    });
    const id = packageIdOf(manifest);
    const final = join(options.dir, id);
    const partial = `${final}.partial`;
    rmSync(partial, { recursive: true, force: true });
    for (const c of spec.components)
      for (const [path, bytes] of c.files) {
        const file = join(partial, 'files', path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, bytes);
        const stretched = spec.declaredSizes?.get(path);
        if (stretched !== undefined) truncateSync(file, stretched);
      }
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    writeFileSync(join(partial, 'manifest.json'), text);
    const signature = sign(null, manifestMessage(text), privateKey).toString('hex');
    writeFileSync(join(partial, 'manifest.sig'), JSON.stringify({ keyId: provinceReleaseKeyId, signature }));
    rmSync(final, { recursive: true, force: true });
    renameSync(partial, final);
    return id;
  }

  return {
    dir: options.dir,
    publish,
    /** Changes a file of a package after it was signed: one byte in the middle, inverted. */
    corrupt(id: string, path: string): void {
      const file = join(options.dir, id, 'files', path);
      const bytes = readFileSync(file);
      const at = Math.floor(bytes.length / 2);
      bytes[at] = (bytes[at] ?? 0) ^ 0xff;
      writeFileSync(file, bytes);
    },
    remove: (id: string) => rmSync(join(options.dir, id), { recursive: true, force: true }),
  };
}
