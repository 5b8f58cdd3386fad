/**
 * How a notification reads in a chat group and in a mail: a subject with the kind in brackets
 * (`【待审批】…`), the caller's Chinese lines, the facts an approver needs to find the run
 * (runbook, workflow id, banks, roles) and the deep link. Labels in Chinese, English on request.
 */
import type { Notification, NotificationKind } from './notification.ts';
import type { NotifyLanguage } from './port.ts';

const kindLabels: Record<NotificationKind, Record<NotifyLanguage, string>> = {
  'approval-requested': { zh: '待审批', en: 'Approval requested' },
  'approval-reminder': { zh: '审批提醒', en: 'Approval reminder' },
  'approval-escalated': { zh: '审批已升级', en: 'Approval escalated' },
  'approval-expired': { zh: '审批已过期', en: 'Approval expired' },
  'run-failed': { zh: '运行失败', en: 'Run failed' },
  'run-escalated': { zh: '需人工处理', en: 'Needs people' },
  'claim-requested': { zh: '待认领', en: 'Claim requested' },
  'step-paused': { zh: '待处置', en: 'Step paused' },
  'step-decided': { zh: '已处置', en: 'Step decided' },
};

const labels = {
  runbook: { zh: '运行手册', en: 'Runbook' },
  workflowId: { zh: '工作流', en: 'Workflow' },
  banks: { zh: '银行', en: 'Banks' },
  roles: { zh: '需处理角色', en: 'To act' },
  approvalLink: { zh: '打开审批页面', en: 'Open the approval page' },
  detailLink: { zh: '查看详情', en: 'Open details' },
  truncated: { zh: '……（内容过长，已截断，详见链接）', en: '… (too long, truncated; see the link)' },
} satisfies Record<string, Record<NotifyLanguage, string>>;

export function kindLabel(kind: NotificationKind, lang: NotifyLanguage = 'zh'): string {
  return kindLabels[kind][lang];
}

export function notificationSubject(n: Notification, lang: NotifyLanguage = 'zh'): string {
  const label = kindLabel(n.kind, lang);
  return lang === 'zh' ? `【${label}】${n.title}` : `[${label}] ${n.title}`;
}

/** `运行手册：seq-resync` and the like, only for the facts the notification has. */
export function factLines(n: Notification, lang: NotifyLanguage = 'zh'): string[] {
  const sep = lang === 'zh' ? '：' : ': ';
  const list = (items: string[]) => items.join(lang === 'zh' ? '、' : ', ');
  return [
    `${labels.runbook[lang]}${sep}${n.runbook}`,
    `${labels.workflowId[lang]}${sep}${n.workflowId}`,
    ...(n.bankCodes?.length ? [`${labels.banks[lang]}${sep}${list(n.bankCodes)}`] : []),
    ...(n.roles?.length ? [`${labels.roles[lang]}${sep}${list(n.roles)}`] : []),
  ];
}

export function linkLabel(n: Notification, lang: NotifyLanguage = 'zh'): string {
  return n.kind.startsWith('approval-') ? labels.approvalLink[lang] : labels.detailLink[lang];
}

export interface MarkdownOptions {
  lang?: NotifyLanguage;
  /** DingTalk needs a blank line where WeCom takes a newline. */
  lineBreak?: string;
  /** Robots cap the message size (WeCom: 4096 bytes of UTF-8). */
  maxBytes?: number;
}

/** The robot message: heading, body lines, facts as a quote, the link; body lines cut to fit. */
export function toMarkdown(n: Notification, options: MarkdownOptions = {}): string {
  const { lang = 'zh', lineBreak = '\n', maxBytes = 4096 } = options;
  const head = [`### ${notificationSubject(n, lang)}`];
  const tail = [
    ...factLines(n, lang).map((l) => `> ${l}`),
    ...(n.link ? [`[${linkLabel(n, lang)}](${n.link})`] : []),
  ];
  const join = (lines: string[]) => lines.join(lineBreak);
  const whole = join([...head, ...n.lines, ...tail]);
  if (utf8Bytes(whole) <= maxBytes) return whole;

  const notice = labels.truncated[lang];
  let budget = maxBytes - utf8Bytes(join([...head, notice, ...tail])) - utf8Bytes(lineBreak);
  const kept: string[] = [];
  for (const line of n.lines) {
    const cost = utf8Bytes(line) + utf8Bytes(lineBreak);
    if (cost > budget) {
      const room = budget - utf8Bytes(lineBreak);
      if (room > 0) kept.push(truncateUtf8(line, room));
      break;
    }
    kept.push(line);
    budget -= cost;
  }
  return truncateUtf8(join([...head, ...kept, notice, ...tail]), maxBytes);
}

export function toPlainText(n: Notification, lang: NotifyLanguage = 'zh'): string {
  return [
    notificationSubject(n, lang),
    '',
    ...n.lines,
    '',
    ...factLines(n, lang),
    ...(n.link ? ['', `${linkLabel(n, lang)}${lang === 'zh' ? '：' : ': '}${n.link}`] : []),
    '',
  ].join('\n');
}

export function toHtml(n: Notification, lang: NotifyLanguage = 'zh'): string {
  const para = (text: string) => `<p>${escapeHtml(text)}</p>`;
  return [
    '<!doctype html>',
    `<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><title>${escapeHtml(notificationSubject(n, lang))}</title></head>`,
    '<body style="font-family: sans-serif">',
    `<h3>${escapeHtml(notificationSubject(n, lang))}</h3>`,
    ...n.lines.map(para),
    `<ul style="color: #555">${factLines(n, lang)
      .map((l) => `<li>${escapeHtml(l)}</li>`)
      .join('')}</ul>`,
    ...(n.link ? [`<p><a href="${escapeHtml(n.link)}">${escapeHtml(linkLabel(n, lang))}</a></p>`] : []),
    '</body></html>',
    '',
  ].join('\n');
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The longest prefix of `text` within `maxBytes` of UTF-8 that ends on a whole character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const size = utf8Bytes(ch);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += ch.length;
  }
  return text.slice(0, end);
}
