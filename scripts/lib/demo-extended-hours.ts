/**
 * The demo runs at any hour, a bank's window does not. When the bank's window is closed, the demo
 * makes the arrangement a bureau makes with a bank for urgent work (延时服务): the bank keeps
 * today open (the sandbox bank is told, as the bank's own staff would be), and the site records it
 * in a calendar file, which the workers read afresh. Clearly a demo: a real arrangement names the
 * person at the bank who agreed it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createCalendarActivities, type BankWindow } from '../../activities/calendar.ts';
import { createSiteCalendar } from '../../connectors/calendar/site-calendar.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { dateInZone } from '../../domain/calendar/dates.ts';
import { sandboxRequest } from './sandbox-client.ts';
import type { Stack } from './stack.ts';

export async function openBankWindowForDemo(
  stack: Stack,
  site: SiteConfig,
  bank: string,
): Promise<BankWindow> {
  const calendar = createCalendarActivities({ site, calendar: createSiteCalendar(site.calendar) });
  const window = await calendar.bankWindow({ bank, at: new Date().toISOString() });
  if (window.open) return window;
  if (!site.calendar.dir) throw new Error('the demo needs `calendar.dir` in the site file');
  const today = dateInZone(new Date(), site.site.timezone);
  const hours = { open: '00:00', close: '23:59' };
  console.log(
    `${bank}'s window is closed now (next opening ${window.opensAt}). DEMO ONLY — ${bank} agrees to extended hours today (延时服务):`,
  );
  await sandboxRequest(stack.sandboxUrl, stack.env, site, 'POST', `/sandbox/banks/${bank}/extended-hours`, {
    date: today,
    ...hours,
  });
  mkdirSync(site.calendar.dir, { recursive: true });
  const file = join(site.calendar.dir, `extended-hours-${today}-${bank}.yaml`);
  writeFileSync(
    file,
    stringify({
      extendedHours: [{ date: today, banks: [bank], ...hours, reason: '演示：沙箱银行同意今日延时受理' }],
    }),
  );
  console.log(`    recorded in ${file}`);
  return calendar.bankWindow({ bank, at: new Date().toISOString() });
}
