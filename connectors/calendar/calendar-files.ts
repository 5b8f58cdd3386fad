/**
 * Calendar files (YAML or JSON, see domain/calendar/declaration.ts) read from disk; a wrong one
 * fails with the file, the field and what was expected.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import {
  calendarFileSchema,
  expandDeclaration,
  type CalendarDeclaration,
} from '../../domain/calendar/declaration.ts';
import { createWorkingDayCalendar, type WorkingDayCalendar } from '../../domain/calendar/working-days.ts';
import { officialCalendar } from './official-calendar.ts';

export function readCalendarFile(file: string): CalendarDeclaration {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`Invalid calendar file ${file}: ${(err as Error).message}`);
  }
  const parsed = calendarFileSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new Error(
      `Invalid calendar file ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return expandDeclaration(parsed.data, file);
}

/** The official calendar with these files' declarations over it. */
export function calendarFromFiles(files: string[] = []): WorkingDayCalendar {
  return createWorkingDayCalendar({
    official: officialCalendar(),
    declarations: files.map(readCalendarFile),
  });
}
