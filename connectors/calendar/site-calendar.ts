/**
 * The site's working-day calendar: the official data, its yearly files and the files in its
 * calendar folder. The folder is looked at again on every question, so a file an engineer drops
 * in (the next year's holidays once the notice is out, a bank's extended hours agreed on the day)
 * counts without restarting the workers.
 */
import type { SiteConfig } from '../../temporal.config.ts';
import type { WorkingDayCalendar } from '../../domain/calendar/working-days.ts';
import { folderSignature, listFolder } from '../files/live-folder.ts';
import { calendarFromFiles } from './calendar-files.ts';

export function createSiteCalendar(
  config: Pick<SiteConfig['calendar'], 'files' | 'dir'>,
): WorkingDayCalendar {
  let signature = '';
  let current: WorkingDayCalendar | undefined;
  const calendar = (): WorkingDayCalendar => {
    const extra = config.dir ? listFolder(config.dir, /\.(ya?ml|json)$/) : [];
    const next = folderSignature(extra);
    if (!current || next !== signature) {
      current = calendarFromFiles([...config.files, ...extra.map((f) => f.path)]);
      signature = next;
    }
    return current;
  };
  return {
    knownYears: () => calendar().knownYears(),
    day: (date) => calendar().day(date),
    isWorkingDay: (date) => calendar().isWorkingDay(date),
    previousWorkingDay: (date) => calendar().previousWorkingDay(date),
    nextWorkingDay: (date) => calendar().nextWorkingDay(date),
    extendedHours: (date, bank) => calendar().extendedHours(date, bank),
    extendedHoursBetween: (from, to) => calendar().extendedHoursBetween(from, to),
  };
}
