/**
 * `./jincai demo year-end`: a year-end rollover (年终结转) of the sandbox's fiscal year in compressed
 * time — the freeze a few seconds after the start, the opening half a minute after it — on the
 * embedded stack, freshly seeded: when the banks are closed the sandbox's business clock moves to
 * their next opening (the demo runs at any hour; extended hours would have them pay after the day's
 * report, which the pre-checks rightly call red), the year's vouchers in flight settle, then the
 * sandbox's demo engineer starts the
 * rollover through the inbox and its demo approver approves the freeze and the opening through the
 * inbox API (clearly a demo: at a real site people sign in themselves). Prints each bank's
 * cancellation and restoration with finance's and the bank's totals; exits 0 when the year rolled
 * over and every bank confirmed both with matching totals.
 */
import { createCalendarActivities } from '../../activities/calendar.ts';
import { createSiteCalendar } from '../../connectors/calendar/site-calendar.ts';
import { openTreasuryDb } from '../../connectors/treasury/database.ts';
import { dateInZone } from '../../domain/calendar/dates.ts';
import { formatFen } from '../../domain/display.ts';
import type { NoticeOutcome, YearEndRolloverResult } from '../../domain/runbooks/year-end-rollover.types.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { connectClient } from './client.ts';
import { runWithDemoApproval } from './demo-approval.ts';
import { sandboxRequest } from './sandbox-client.ts';
import { inFlightSettled } from './year-in-flight.ts';
import type { Stack } from './stack.ts';

/** Runs the demo on a started stack; true when the year rolled over with every bank's totals matching. */
export async function yearEndDemo(stack: Stack, site: SiteConfig): Promise<boolean> {
  const year = Number(dateInZone(new Date(), site.site.timezone).slice(0, 4));
  const banks = site.banks.map((b) => b.code);
  await banksOpen(stack, site, banks);
  const db = await openTreasuryDb(site.treasury);
  try {
    await inFlightSettled({ db, site, year, banks, say: (line) => console.log(line) });
  } finally {
    await db.destroy();
  }
  const client = await connectClient(site);
  try {
    const at = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
    console.log(
      `\nRolling ${year} over for ${banks.join(', ')}: the freeze in 15 s, the opening 30 s after.`,
    );
    const result = await runWithDemoApproval<YearEndRolloverResult>({
      client,
      stack,
      site,
      runbook: 'year-end-rollover',
      idPrefix: `year-end-rollover/${year}/`,
      input: {
        fiscalYear: year,
        freezeAt: at(15),
        openAt: at(45),
        recheckMinutes: 1,
        remindAfterMinutes: 1,
        escalateAfterMinutes: 2,
        reason: '演示：压缩时间的年终结转',
      },
      reason: '演示：预检查通过，同意',
    });
    console.log(`\n年终结转 ${result.fiscalYear}: ${result.outcome}`);
    for (const answer of [...result.cancellations, ...result.restorations])
      console.log(`    ${answerLine(answer)}`);
    console.log(`    carried over: ${result.carryOver.length} voucher(s) unpaid at close`);
    console.log(`Report (HTML):     ${result.report.html}`);
    const answers = [...result.cancellations, ...result.restorations];
    return (
      result.outcome === 'rolled-over' &&
      answers.length === 2 * banks.length &&
      answers.every((a) => a.outcome === 'confirmed')
    );
  } finally {
    await client.connection.close();
  }
}

/**
 * Every bank open on the sandbox's business clock: as it is, or with the clock moved to the first
 * moment all of them are (DEMO ONLY: a real bureau's clock is the real one).
 */
async function banksOpen(stack: Stack, site: SiteConfig, banks: string[]): Promise<void> {
  const calendar = createCalendarActivities({ site, calendar: createSiteCalendar(site.calendar) });
  const clock = (await sandboxRequest(stack.sandboxUrl, stack.env, site, 'GET', '/sandbox/clock')) as {
    now: string;
  };
  let at = clock.now;
  for (;;) {
    const windows = await Promise.all(banks.map((bank) => calendar.bankWindow({ bank, at })));
    const closed = windows.filter((w) => !w.open);
    if (closed.length === 0) break;
    at = new Date(Math.max(...closed.map((w) => Date.parse(w.opensAt))) + 60_000).toISOString();
  }
  if (at === clock.now) return;
  console.log(
    `DEMO ONLY — the banks are closed at ${clock.now}: the sandbox's business clock moves to ${at}.`,
  );
  await sandboxRequest(stack.sandboxUrl, stack.env, site, 'POST', '/sandbox/clock', { action: 'set', at });
}

function answerLine(a: NoticeOutcome): string {
  const label = a.kind === 'cancellation' ? '额度注销' : '额度恢复';
  const bank = a.bankTotals ? `${a.bankTotals.lineCount} 笔 ${formatFen(a.bankTotals.totalFen)}` : '—';
  return `${a.bank.padEnd(5)} ${label} ${a.noticeId}: ${a.outcome} — finance ${a.expected.lineCount} 笔 ${formatFen(a.expected.totalFen)}, bank ${bank}`;
}
