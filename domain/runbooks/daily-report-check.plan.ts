/**
 * The daily report check's judgement, as pure functions: which reports are missing, whether the
 * bank's answers fit the questions, and what the run concludes after the wait.
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

export function conclude(options: {
  date: string;
  missingBefore: readonly ReportKind[];
  after: readonly ReportPresence[];
  answers: ReadonlyMap<ReportKind, BankAnswer | undefined>;
  waitSeconds: number;
}): { outcome: DailyReportCheckOutcome; why: string } {
  const { date, missingBefore, after, answers } = options;
  const still = missingReports(after).filter((k) => missingBefore.includes(k));
  const names = (kinds: readonly ReportKind[]) => kinds.map((k) => reportLabel[k]).join('、');
  if (still.length === 0) {
    return {
      outcome: 'received-after-resend',
      why: `已请求银行补发 ${names(missingBefore)}（${date}），均已收到`,
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
    why: `等待 ${waitText(options.waitSeconds)}后仍缺 ${names(still)}（${date}）：${detail.join('；')}`,
  };
}

/** `45 秒` / `30 分钟` / `2 小时`: a wait as a report reader says it. */
export function waitText(seconds: number): string {
  if (seconds < 120) return `${seconds} 秒`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} 分钟`;
  return `${Math.round(seconds / 360) / 10} 小时`;
}
