/**
 * What can go wrong with a system migration, as estate faults on a subsystem with a migration
 * target (its first one):
 * - `migration-target-disk-short`: the application grows past the free space of the target's disk
 *   (a sparse archive file in its folder, removed when cleared);
 * - `migration-target-port-taken`: another process listens on the target's port;
 * - `migration-copy-corrupt`: the target's disk changes what is written to it — its copy of the
 *   configuration file differs from the original once copied.
 */
import {
  appendFileSync,
  existsSync,
  openSync,
  closeSync,
  ftruncateSync,
  rmSync,
  statfsSync,
  statSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { SiteConfig } from '../../temporal.config.ts';
import { faultKind, noOptions } from './fault-kinds.ts';

const TiB = 2 ** 40;
const archive = 'lib/acct-archive.bin';
const corrupted = 'conf/application.properties';

export function migrationFaults(site: SiteConfig) {
  const movable = new Map(
    site.subsystems.flatMap((s) => {
      const t = s.migrationTargets[0];
      return s.install && t ? [[s.id, { dir: s.install.dir, target: t }] as const] : [];
    }),
  );
  const targets = () => [...movable.keys()];
  const of = (id: string) => movable.get(id) as NonNullable<ReturnType<typeof movable.get>>;
  const listeners = new Map<string, Server>();
  const watchers = new Map<string, NodeJS.Timeout>();

  return {
    'migration-target-disk-short': faultKind({
      targets,
      options: noOptions,
      inject: async (id) => {
        const { dir, target } = of(id);
        const disk = statfsSync(existsSync(target.dir) ? target.dir : join(dir, '..'));
        const size = disk.bavail * disk.bsize + TiB;
        const fd = openSync(join(dir, archive), 'w');
        ftruncateSync(fd, size);
        closeSync(fd);
        return { file: archive, bytes: size };
      },
      heal: async (id) => rmSync(join(of(id).dir, archive), { force: true }),
    }),
    'migration-target-port-taken': faultKind({
      targets,
      options: noOptions,
      inject: async (id) => {
        const port = of(id).target.ports[0];
        if (!port) return {};
        const server = createServer((socket) => socket.end());
        await new Promise<void>((resolve, reject) =>
          server.once('error', reject).listen(port.port, port.host, () => resolve()),
        );
        listeners.set(id, server);
        return { port: `${port.host}:${port.port}` };
      },
      heal: async (id) => {
        const server = listeners.get(id);
        listeners.delete(id);
        await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      },
    }),
    'migration-copy-corrupt': faultKind({
      targets,
      options: noOptions,
      inject: async (id) => {
        const file = join(of(id).target.dir, corrupted);
        const stamp = () => (existsSync(file) ? statSync(file).mtimeMs : undefined);
        const before = stamp();
        // Looked at every few milliseconds: the next copy is changed as soon as it lands, long
        // before the engine can compare it.
        const timer = setInterval(() => {
          const now = stamp();
          if (now === undefined || now === before) return;
          appendFileSync(file, 'acct.cache.size=0\n');
          clearInterval(timer);
        }, 2);
        watchers.set(id, timer);
        return { file: corrupted };
      },
      heal: async (id) => {
        clearInterval(watchers.get(id));
        watchers.delete(id);
      },
    }),
  };
}
