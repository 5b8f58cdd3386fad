/**
 * Where each subsystem is in service: the site file's description, with the side a migration
 * switched it to in place of its own. The switch is a file, `placementsDir/<id>.json`, written
 * whole (beside its place, then renamed) by system-migration; every look-up lists the folder and
 * parses a file again only when its name, size or modification time changed, so running workers
 * follow a switch without a restart. A placement naming a host the subsystem does not declare as
 * a migration target is a configuration error, never a guess.
 */
import { readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { folderSignature, listFolder } from '../connectors/files/live-folder.ts';
import { ErrorKind } from '../domain/errors.ts';
import type { MigrationTarget } from '../domain/subsystem-config.ts';
import type { SiteConfig, SubsystemConfig } from '../temporal.config.ts';

const placementSchema = z
  .object({
    subsystem: z.string().min(1),
    /** The host of the side in service: one of the subsystem's migration targets. */
    host: z.string().min(1),
    /** The migration that switched it (its key). */
    migration: z.string().min(1),
    switchedAt: z.string().min(1),
  })
  .strict();
export type Placement = z.infer<typeof placementSchema>;

const cache = new WeakMap<SiteConfig, { signature: string; placements: Map<string, Placement> }>();

const configError = (message: string) =>
  ApplicationFailure.create({ type: ErrorKind.ConfigurationError, nonRetryable: true, message });

function placements(site: SiteConfig): Map<string, Placement> {
  const dir = site.placementsDir;
  if (!dir) return new Map();
  const files = listFolder(dir, /^[a-z][a-z0-9-]{1,39}\.json$/);
  const signature = folderSignature(files);
  const hit = cache.get(site);
  if (hit && hit.signature === signature) return hit.placements;
  const read = new Map<string, Placement>();
  for (const f of files) {
    const parsed = placementSchema.safeParse(JSON.parse(readFileSync(f.path, 'utf8')));
    if (!parsed.success)
      throw configError(`placementsDir/${f.name}: not a placement: ${parsed.error.message}`);
    read.set(parsed.data.subsystem, parsed.data);
  }
  cache.set(site, { signature, placements: read });
  return read;
}

/** The subsystem as it runs on a migration target: that side's host, folder, programs, ports, health and database. */
export function onTarget(s: SubsystemConfig, t: MigrationTarget): SubsystemConfig {
  const { health: _health, ...rest } = s;
  return {
    ...rest,
    hosts: [t.host],
    programs: t.programs,
    ports: t.ports,
    ...(t.health && { health: t.health }),
    install: { host: t.host, dir: t.dir, backupDir: t.backupDir },
    ...(s.database && { database: { ...s.database, store: t.database } }),
  };
}

/** The side a placement puts the subsystem on (the site's own description when none). */
function placed(s: SubsystemConfig, p: Placement | undefined): SubsystemConfig {
  if (!p) return s;
  const target = s.migrationTargets.find((t) => t.host === p.host);
  if (!target)
    throw configError(`placementsDir/${s.id}.json: ${s.id} declares no migration target on host ${p.host}`);
  return onTarget(s, target);
}

/** Every subsystem as it is in service at this moment. */
export function liveSubsystems(site: SiteConfig): SubsystemConfig[] {
  const now = placements(site);
  return site.subsystems.map((s) => placed(s, now.get(s.id)));
}

/** The placement recorded for a subsystem, if a migration switched it. */
export function placementOf(site: SiteConfig, subsystem: string): Placement | undefined {
  return placements(site).get(subsystem);
}

function placementFile(site: SiteConfig, subsystem: string): string {
  if (!site.placementsDir)
    throw configError('placementsDir: the site file names no folder where a switch is recorded');
  return join(site.placementsDir, `${subsystem}.json`);
}

/** Records the side in service, whole or not at all. */
export function writePlacement(site: SiteConfig, placement: Placement): void {
  const file = placementFile(site, placement.subsystem);
  mkdirSync(site.placementsDir as string, { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(placement, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** Points the site back at the subsystem's own description. */
export function removePlacement(site: SiteConfig, subsystem: string): void {
  rmSync(placementFile(site, subsystem), { force: true });
}
