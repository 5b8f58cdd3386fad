/**
 * The application servers' faults: down (killed, its pid file left behind), unhealthy, answering
 * with another version than the site declares, or cut off from its database.
 */
import { z } from 'zod';
import type { AppServers } from './app-servers.ts';
import { faultKind, noOptions } from './fault-kinds.ts';

export function appServerFaults(apps: AppServers) {
  const targets = () => apps.ids();
  return {
    'subsystem-down': faultKind({
      targets,
      options: noOptions,
      inject: async (id) => ({ pid: await apps.effects.down(id) }),
      heal: (id) => apps.heal.down(id),
    }),
    'subsystem-unhealthy': faultKind({
      targets,
      /** reason: what the health URL says is wrong. */
      options: z.object({ reason: z.string().min(1).max(200).optional() }).strict(),
      inject: async (id, o) => {
        const reason = o.reason ?? '服务内部错误';
        apps.effects.unhealthy(id, reason);
        return { reason };
      },
      heal: async (id) => apps.heal.unhealthy(id),
    }),
    'subsystem-version-mismatch': faultKind({
      targets,
      /** version: the version that answers (default the declared one with .9 appended). */
      options: z.object({ version: z.string().min(1).max(40).optional() }).strict(),
      inject: async (id, o) => {
        const version = o.version ?? `${apps.info(id).version ?? '1.0.0'}.9`;
        apps.effects.version(id, version);
        return { version };
      },
      heal: async (id) => apps.heal.version(id),
    }),
    'subsystem-db-unreachable': faultKind({
      targets: () => apps.ownDatabases(),
      options: noOptions,
      inject: async (id) => (apps.effects.databaseOffline(id), {}),
      heal: async (id) => apps.heal.databaseOffline(id),
    }),
  };
}
