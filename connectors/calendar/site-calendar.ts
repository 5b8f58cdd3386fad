/**
 * The site's working-day calendar: its yearly files plus the files in its calendar folder. The
 * folder is looked at again on every question, so an arrangement an engineer drops in on the day
 * (a bank's extended hours) counts without restarting the workers.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SiteConfig } from '../../temporal.config.ts';
import { createWorkingDayCalendar, type WorkingDayCalendar } from './working-days.ts';

const calendarFile = /\.(ya?ml|json)$/;

function folderFiles(dir: string | undefined): { path: string; mtimeMs: number }[] {
  if (!dir) return [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .filter((n) => calendarFile.test(n))
    .sort()
    .map((n) => ({ path: join(dir, n), mtimeMs: statSync(join(dir, n)).mtimeMs }));
}

export function createSiteCalendar(config: SiteConfig['calendar']): WorkingDayCalendar {
  let signature = '';
  let current: WorkingDayCalendar | undefined;
  const calendar = (): WorkingDayCalendar => {
    const extra = folderFiles(config.dir);
    const next = JSON.stringify(extra);
    if (!current || next !== signature) {
      current = createWorkingDayCalendar([...config.files, ...extra.map((f) => f.path)]);
      signature = next;
    }
    return current;
  };
  return {
    isWorkingDay: (date) => calendar().isWorkingDay(date),
    previousWorkingDay: (date) => calendar().previousWorkingDay(date),
    nextWorkingDay: (date) => calendar().nextWorkingDay(date),
    extendedHours: (date, bank) => calendar().extendedHours(date, bank),
  };
}
