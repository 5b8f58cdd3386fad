/**
 * The daily report check's judgement, as pure functions: which reports are missing, whether the
 * run asks the bank at all, whether the bank's answers fit the questions, and what the run
 * concludes after the wait.
 */
import type { BankAnswer, ReportKind } from '../bank-questions.ts';
import type { DailyReportCheckOutcome, ReportPresence } from './daily-report-check.types.ts';

export const reportLabel: Record<ReportKind, string> = {
  daily_report: '日报',
  payment_list: '清单',
  recon_file: '对账文件',
};

export function missingReports(presence: readonly ReportPresence[]): ReportKind[] {
  return presence.filter((p) => !p.present).map((p) => p.kind);
}

const namesOf = (kinds: readonly ReportKind[]) => kinds.map((k) => reportLabel[k]).join('、');

/** How a run ends. */
export interface ReportCheckEnd {
  outcome: DailyReportCheckOutcome;
  why: string;
}

/**
 * How the run ends without asking the bank — a day off with no report at all, nothing missing, or
 * a dry run — or undefined: it asks the bank to resend what is missing.
 */
export function withoutResend(options: {
  date: string;
  workingDay: boolean;
  reports: readonly ReportKind[];
  before: readonly ReportPresence[];
  dryRun: boolean;
}): ReportCheckEnd | undefined {
  const { date, before } = options;
  const missing = missingReports(before);
  if (!options.workingDay && missing.length === before.length)
    return { outcome: 'not-a-working-day', why: `${date} 不是工作日，银行不出报表` };
  if (missing.length === 0)
    return { outcome: 'complete', why: `${date} 的${namesOf(options.reports)}均已收到` };
  if (options.dryRun)
    return { outcome: 'planned', why: `缺 ${namesOf(missing)}（${date}）；演练模式，未请求补发` };
  return undefined;
}

/** An answer about another report or day than asked is a state the run will not guess about. */
export function answerMismatch(
  kind: ReportKind,
  date: string,
  answer: BankAnswer | undefined,
): string | undefined {
  if (!answer) return undefined;
  if (answer.reportKind !== kind || answer.reportDate !== date) {
    return `银行对${reportLabel[kind]}（${date}）补发请求的应答指向 ${answer.reportKind ?? '未知报表'}（${answer.reportDate ?? '未知日期'}）`;
  }
  return undefined;
}

/**
 * After the wait: an answer about another report or day than asked stops the run; otherwise what
 * arrived and what the bank said about each request decide (conclude).
 */
export function judgeResend(options: {
  date: string;
  missingBefore: readonly ReportKind[];
  after: readonly ReportPresence[];
  requested: readonly { kind: ReportKind; answer?: BankAnswer }[];
  waitSeconds: number;
}): ReportCheckEnd {
  const { requested, ...rest } = options;
  const mismatch = requested.map((r) => answerMismatch(r.kind, options.date, r.answer)).find(Boolean);
  if (mismatch) return { outcome: 'unexpected-state', why: mismatch };
  return conclude({ ...rest, answers: new Map(requested.map((r) => [r.kind, r.answer])) });
}

export function conclude(options: {
  date: string;
  missingBefore: readonly ReportKind[];
  after: readonly ReportPresence[];
  answers: ReadonlyMap<ReportKind, BankAnswer | undefined>;
  waitSeconds: number;
}): ReportCheckEnd {
  const { date, missingBefore, after, answers } = options;
  const still = missingReports(after).filter((k) => missingBefore.includes(k));
  if (still.length === 0) {
    return {
      outcome: 'received-after-resend',
      why: `已请求银行补发 ${namesOf(missingBefore)}（${date}），均已收到`,
    };
  }
  const detail = still.map((k) => {
    const a = answers.get(k);
    if (!a) return `${reportLabel[k]}：银行未应答补发请求`;
    return a.resent
      ? `${reportLabel[k]}：银行称已补发，但财政端未收到`
      : `${reportLabel[k]}：银行表示无法补发`;
  });
  return {
    outcome: 'escalated',
    why: `等待 ${waitText(options.waitSeconds)}后仍缺 ${namesOf(still)}（${date}）：${detail.join('；')}`,
  };
}

/** `45 秒` / `30 分钟` / `2 小时`: a wait as a report reader says it. */
export function waitText(seconds: number): string {
  if (seconds < 120) return `${seconds} 秒`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} 分钟`;
  return `${Math.round(seconds / 360) / 10} 小时`;
}
