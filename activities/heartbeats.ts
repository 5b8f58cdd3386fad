/**
 * Heartbeats for activities whose time grows with what they work on (a backup, a package's files, a
 * table's checksum): every two seconds while the work runs, so Temporal tells a long step from a
 * dead worker by the step's heartbeat timeout, not its start-to-close timeout.
 */
import { Context } from '@temporalio/activity';

export async function heartbeating<T>(work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => Context.current().heartbeat(), 2000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
