/**
 * A site whose banks are open all day on a working day, for tests that run in real time at any
 * hour: a test never waits for a real window (the waiting itself is tested on the time-skipping
 * server), and what the banks take in is settled before it begins.
 */
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { dateInZone } from '../../domain/calendar/dates.ts';
import type { RawSite } from './site.ts';

/** A calendar file making the days around today working days, and its removal. */
export function workingTodayCalendar(): { file: string; remove(): void } {
  const file = join(tmpdir(), `jincai-calendar-${randomUUID().slice(0, 8)}.yaml`);
  const today = Date.parse(`${dateInZone(new Date(), 'Asia/Shanghai')}T00:00:00Z`);
  const days = [-1, 0, 1, 2].map((d) => new Date(today + d * 86_400_000).toISOString().slice(0, 10));
  writeFileSync(file, stringify({ workdays: days }));
  return { file, remove: () => rmSync(file, { force: true }) };
}

/** Site edits: every bank open 00:00–23:59, the days of `calendarFile` working days, comm-approvers decide `runbook`. */
export function openAllDay(calendarFile: string, runbook: string) {
  return (raw: RawSite) => {
    raw.banks = raw.banks.map((b) => ({ ...b, window: { open: '00:00', close: '23:59' } }));
    raw.calendar = { files: [calendarFile] };
    (raw.approvals as Record<string, unknown>).runbooks = {
      [runbook]: { roles: ['comm-approver'], quorum: 1 },
    };
  };
}
