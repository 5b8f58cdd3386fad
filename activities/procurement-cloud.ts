/**
 * Procurement cloud activities (comm zone): the site's procurement-push subsystem, whether its
 * cloud (政采云) answers, and what the cloud holds of each failed confirmation — the confirmation
 * under its number and its contract with what has been confirmed against it; and, for the payment
 * check, each contract with the confirmations it holds against it. Read only.
 */
import { createProcurementCloudClient } from '../connectors/procurement/cloud-client.ts';
import type { CloudContract } from '../domain/runbooks/procurement-payment-check.types.ts';
import type {
  CloudLook,
  CloudView,
  ProcurementTarget,
} from '../domain/runbooks/procurement-push-retry.types.ts';
import { subsystemOfKind } from '../domain/subsystem-config.ts';
import type { SiteConfig } from '../temporal.config.ts';

/** Cloud look-ups at once: a few, so a thousand confirmations do not open a thousand connections. */
const concurrency = 8;

export function createProcurementCloudActivities({ site }: { site: SiteConfig }) {
  function target(id: string | undefined): ProcurementTarget | string {
    const s = subsystemOfKind(site.subsystems, 'procurement-push', id);
    if (typeof s === 'string') return s;
    return {
      subsystem: s.id,
      name: s.name,
      cloudUrl: s.procurement.cloudUrl,
      maxAttempts: s.procurement.maxAttempts,
    };
  }
  const cloudOf = (id: string) => {
    const t = target(id);
    if (typeof t === 'string') throw new RangeError(t);
    return createProcurementCloudClient(t.cloudUrl);
  };

  return {
    /** The procurement-push subsystem the input names; what it names that the site does not, as input problems. */
    async describeProcurement({
      subsystem,
    }: {
      subsystem?: string;
    }): Promise<{ inputProblems: string[]; target?: ProcurementTarget }> {
      const t = target(subsystem);
      return typeof t === 'string' ? { inputProblems: [t] } : { inputProblems: [], target: t };
    },

    /** Whether the cloud answers its health URL. */
    async lookAtProcurementCloud({ subsystem }: { subsystem: string }): Promise<CloudLook> {
      return cloudOf(subsystem).health();
    },

    /** What the cloud holds of each confirmation and its contract, by confirmation number. */
    async procurementCloudViews({
      subsystem,
      confirmations,
    }: {
      subsystem: string;
      confirmations: { confirmationNo: string; contractNo: string }[];
    }): Promise<Record<string, CloudView>> {
      const cloud = cloudOf(subsystem);
      const views: Record<string, CloudView> = {};
      for (let i = 0; i < confirmations.length; i += concurrency)
        await Promise.all(
          confirmations.slice(i, i + concurrency).map(async (c) => {
            views[c.confirmationNo] = await cloud.view(c.confirmationNo, c.contractNo);
          }),
        );
      return views;
    },

    /** Each contract as the cloud holds it, with its confirmations (null: the cloud has no such contract). */
    async procurementCloudContracts({
      subsystem,
      contractNos,
    }: {
      subsystem: string;
      contractNos: string[];
    }): Promise<Record<string, CloudContract | null>> {
      const cloud = cloudOf(subsystem);
      const contracts: Record<string, CloudContract | null> = {};
      for (let i = 0; i < contractNos.length; i += concurrency)
        await Promise.all(
          contractNos.slice(i, i + concurrency).map(async (no) => {
            contracts[no] = (await cloud.contract(no)) ?? null;
          }),
        );
      return contracts;
    },
  };
}
