/**
 * What can go wrong with a provincial upgrade, as estate faults on an installed subsystem. Most
 * publish a package of their own in the release repository — a variation of the province's next
 * release, named in the fault's details — and clearing removes it:
 * - `release-package-corrupt`: a file changed after the province signed the manifest;
 * - `release-package-other-version`: a package for another installed version (3.6.0 from 3.5.0);
 * - `release-migration-fails`: the second migration fails at its second statement, half-way;
 * - `release-will-not-start`: the new version's class path names a module the package lacks, so
 *   the application server refuses to start;
 * - `release-bank-link-broken` (`bank`): the bank's status answers are lost, so a smoke test's
 *   test message to it is never answered (the province's next release itself is used);
 * - `release-host-disk-short`: a package larger than the free space of the host's disk (a sparse
 *   module file).
 */
import { statfsSync } from 'node:fs';
import { z } from 'zod';
import type { Banks } from '../bank/banks.ts';
import { faultKind, noOptions } from '../estate/fault-kinds.ts';
import {
  installedSubsystems,
  installedVersion,
  nextPaymentRelease,
  type Installed,
} from './installations.ts';
import { failingMigrations, installedPaymentVersion, nextPaymentVersion } from './payment-product.ts';
import type { ReleaseRepository } from './release-repository.ts';
import type { SiteConfig } from '../../temporal.config.ts';

const TiB = 2 ** 40;

export function releaseFaults(deps: { site: SiteConfig; releases: ReleaseRepository; banks: Banks }) {
  const { releases } = deps;
  const apps = new Map(installedSubsystems(deps.site).map((a) => [a.id, a]));
  const targets = () => [...apps.keys()];
  const app = (id: string) => apps.get(id) as Installed;
  const published = (spec: Parameters<typeof nextPaymentRelease>[0]) => async () => ({
    package: releases.publish(nextPaymentRelease(spec)),
  });
  const unpublish = async (_id: string, details: Record<string, unknown>) => {
    if (typeof details.package === 'string') releases.remove(details.package);
  };

  return {
    'release-package-corrupt': faultKind({
      targets,
      options: noOptions,
      inject: async () => {
        const id = releases.publish(nextPaymentRelease({ version: '3.5.1' }));
        const file = 'lib/pay-core.jar';
        releases.corrupt(id, file);
        return { package: id, file };
      },
      heal: unpublish,
    }),
    'release-package-other-version': faultKind({
      targets,
      options: noOptions,
      inject: published({ version: '3.6.0', from: nextPaymentVersion }),
      heal: unpublish,
    }),
    'release-migration-fails': faultKind({
      targets,
      options: noOptions,
      // From whatever is installed (3.4.0, or 3.5.0 once upgraded): the demo's second upgrade.
      inject: async (id) => {
        const from = installedVersion(app(id)) ?? installedPaymentVersion;
        return {
          package: releases.publish(
            nextPaymentRelease({ version: '3.5.2', from, migrations: failingMigrations(from) }),
          ),
        };
      },
      heal: unpublish,
    }),
    'release-will-not-start': faultKind({
      targets,
      options: noOptions,
      inject: published({
        version: '3.5.3',
        classpath: ['lib/pay-core.jar', 'lib/pay-mq.jar', 'lib/pay-notice.jar', 'lib/pay-crypto.jar'],
      }),
      heal: unpublish,
    }),
    'release-bank-link-broken': faultKind({
      targets,
      options: z.object({ bank: z.string().min(1) }).strict(),
      inject: async (_id, o) => {
        deps.banks.loseAnswers(o.bank, { msgType: 'status_answer', count: Number.MAX_SAFE_INTEGER });
        return { bank: o.bank, package: `payment-${nextPaymentVersion}` };
      },
      heal: async (_id, details) => {
        if (typeof details.bank === 'string') deps.banks.stopLosingAnswers(details.bank);
      },
    }),
    'release-host-disk-short': faultKind({
      targets,
      options: noOptions,
      inject: async (id) => {
        const disk = statfsSync(app(id).install.dir);
        const size = disk.bavail * disk.bsize + TiB;
        const path = 'lib/pay-archive.bin';
        return {
          package: releases.publish(
            nextPaymentRelease({
              version: '3.5.4',
              extraFiles: new Map([[path, Buffer.from('archive')]]),
              declaredSizes: new Map([[path, size]]),
            }),
          ),
          bytes: size,
        };
      },
      heal: unpublish,
    }),
  };
}
