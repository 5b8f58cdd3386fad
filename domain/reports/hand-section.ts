/**
 * The operator's hand in a run's report (人工处置): every step that paused — what failed or what
 * it found, how often it had run — and what the operator decided, by whom and why. Every
 * runbook's report shows it when its run paused; a skipped step is never silent. Pure.
 */
import type { HandAction, HandRecord } from '../approvals/hand-decision.ts';
import { code, heading, inline, table } from './markdown.ts';

export const handActionLabel: Record<HandAction, string> = { retry: '重试', skip: '跳过', abort: '中止' };
const causeLabel = { failed: '失败', unexpected: '状态异常' } as const;
const viaLabel = { inbox: '审批页面', cli: '命令行' } as const;

/** `time` shows an instant as the rest of the report does. */
export function handMarkdown(records: readonly HandRecord[], time: (iso: string) => string): string {
  return [
    heading(2, '人工处置'),
    table(
      ['步骤', '暂停时间', '原因', '处置', '处置人', '理由', '渠道'],
      records.map(({ pause, decision }) => [
        inline(code(pause.step), `（第 ${pause.attempts} 次）`),
        time(pause.pausedAt),
        `${causeLabel[pause.trouble.cause]}：${pause.trouble.message}`,
        decision.action === 'skip' && pause.skipMeans
          ? `${handActionLabel.skip}（${pause.skipMeans.zh}）`
          : handActionLabel[decision.action],
        decision.user,
        decision.reason ?? '',
        viaLabel[decision.via],
      ]),
    ),
  ].join('\n\n');
}
