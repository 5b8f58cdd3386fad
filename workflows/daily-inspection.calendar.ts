/**
 * The inspection's look at the working-day calendar: a finding when a year without holiday data
 * begins within 60 days (yellow) or has begun (red), saying what the site must do. Pure: runs
 * inside the workflow on the years the calendar activity reports.
 */
import { coverageWarning } from '../domain/calendar/coverage.ts';
import type { SiteFinding } from '../domain/runbooks/daily-inspection.types.ts';

export function calendarFindings(date: string, knownYears: number[]): SiteFinding[] {
  const w = coverageWarning(date, knownYears);
  if (!w) return [];
  const when =
    w.daysLeft === 0
      ? `${date} 所在的 ${w.missingYear} 年`
      : `自 ${w.firstUnknownDay} 起（还有 ${w.daysLeft} 天）`;
  return [
    {
      code: 'CALENDAR_YEAR_MISSING',
      light: w.light,
      summary: `工作日历缺少 ${w.missingYear} 年的节假日与调休安排：${when}无法判断工作日，依赖日历的检查与 Runbook 将拒绝执行`,
      action: `国务院办公厅发布 ${w.missingYear} 年部分节假日安排的通知后，在站点日历目录添加 ${w.missingYear} 年日历文件（year: ${w.missingYear}，列出放假与调休上班日期），再运行 npm run schedules 更新定时任务（见 README「Calendar」）`,
      evidence: { missingYear: w.missingYear, firstUnknownDay: w.firstUnknownDay, daysLeft: w.daysLeft },
    },
  ];
}
