/**
 * The site's working-day calendar: its yearly files plus the files in its calendar folder. The
 * folder is looked at again on every question, so an arrangement an engineer drops in on the day
 * (a bank's extended hours) counts without restarting the workers.
 */
import type { SiteConfig } from '../../temporal.config.ts';
import { folderSignature, listFolder } from '../files/live-folder.ts';
import { createWorkingDayCalendar, type WorkingDayCalendar } from './working-days.ts';

export function createSiteCalendar(config: SiteConfig['calendar']): WorkingDayCalendar {
  let signature = '';
  let current: WorkingDayCalendar | undefined;
  const calendar = (): WorkingDayCalendar => {
    const extra = config.dir ? listFolder(config.dir, /\.(ya?ml|json)$/) : [];
    const next = folderSignature(extra);
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
