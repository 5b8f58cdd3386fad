/**
 * How a run looks at the estate's subsystems — subsystem health and the daily inspection's
 * subsystem section alike: from the comm zone their programs, ports and health URLs, from the db
 * zone the work the treasury holds for them, then each judged (domain/runbooks/subsystem-health.assess.ts).
 */
import type { createSubsystemActivities } from '../../activities/subsystems.ts';
import type { createSubsystemWorkActivities } from '../../activities/subsystem-work.ts';
import { assessSubsystem } from '../../domain/runbooks/subsystem-health.assess.ts';
import type {
  SubsystemExpected,
  SubsystemHealth,
  WorkThresholds,
} from '../../domain/runbooks/subsystem-health.types.ts';
import { bulkReadActivities, readActivities } from './retry-profiles.ts';

type Subsystems = ReturnType<typeof createSubsystemActivities>;
type Work = ReturnType<typeof createSubsystemWorkActivities>;

/** The read-only activities a look goes through, in the zones that reach each system. */
export function subsystemLookers(queues: { comm: string; db: string }) {
  return {
    // A look reads every health URL and watches the exchange client through a few cycles.
    comm: bulkReadActivities<Subsystems>({ taskQueue: queues.comm }),
    db: readActivities<Work>({ taskQueue: queues.db }),
  };
}

/** Every subsystem of `expected` looked at and judged, in their order. */
export async function inspectSubsystems(
  lookers: ReturnType<typeof subsystemLookers>,
  expected: readonly SubsystemExpected[],
  thresholds: WorkThresholds,
): Promise<SubsystemHealth[]> {
  const ids = expected.map((e) => e.id);
  const [looks, work] = await Promise.all([
    lookers.comm.lookAtSubsystems({ ids }),
    lookers.db.subsystemWork({ ids, thresholds }),
  ]);
  const judging = { now: new Date().toISOString(), uplinkBacklogMinutes: thresholds.uplinkBacklogMinutes };
  return expected.map((e) =>
    assessSubsystem(
      e,
      looks.find((l) => l.id === e.id) ?? { id: e.id, programs: [], ports: [] },
      work[e.id] ?? {},
      judging,
    ),
  );
}
