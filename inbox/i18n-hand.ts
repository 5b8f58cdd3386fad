/**
 * The words of the operator's hand, in Chinese (the default) and English: the 待处置 list, a paused
 * step's page (the error, the evidence, the choices and their buttons), a decision's outcome
 * (`messages(lang).hand`), and the bilingual refusal texts the JSON API hands to the CLI.
 */
import type { HandAction, StepTrouble } from '../domain/approvals/hand-decision.ts';
import type { HandRefusal } from './hand.ts';

const zhRefusals: Record<HandRefusal, string> = {
  malformed: '处置决定的格式不正确，未被接受。',
  'not-paused': '该运行当前没有等待处置的步骤（可能已由他人处置）。',
  'wrong-run': '该运行已被重置或重新启动，请刷新页面后再处置。',
  'unknown-key': '收件箱的签名密钥不被运行手册信任，请联系系统管理员。',
  'bad-signature': '处置决定的签名校验失败，未被接受。',
  replayed: '该处置决定已经被使用过，不能重复提交。',
  'wrong-pause': '暂停的步骤已经变化，请刷新页面后再处置。',
  'pause-changed': '暂停的步骤已经变化，请刷新页面后再处置。',
  'expired-decision': '处置决定提交超时，请重新提交。',
  'future-decision': '处置决定的时间晚于当前时间，请联系管理员检查服务器时钟。',
  'unknown-user': '您不在运行手册所用的用户目录中，不能处置。',
  'not-offered': '该步骤不提供此处置方式。',
  'self-skip': '这是您发起的运行，不能由您跳过它的步骤。',
  'not-allowed': '您没有此处置方式所需的角色。',
  'reason-required': '跳过或中止必须填写理由。',
  'not-found': '找不到该运行。',
};

const enRefusals: Record<HandRefusal, string> = {
  malformed: 'The decision was malformed and not accepted.',
  'not-paused': 'No step of this run is waiting for an operator (someone may have decided already).',
  'wrong-run': 'The run was reset or started again; reload the page and decide again.',
  'unknown-key': "The runbook does not trust the inbox's signing key; contact the administrator.",
  'bad-signature': "The decision's signature did not verify; it was not accepted.",
  replayed: 'This decision has already been used and cannot be sent again.',
  'wrong-pause': 'Another step is paused now; reload the page and decide again.',
  'pause-changed': 'Another step is paused now; reload the page and decide again.',
  'expired-decision': 'The decision arrived too late; submit it again.',
  'future-decision':
    "The decision is dated in the future; ask the administrator to check the server's clock.",
  'unknown-user': 'You are not in the user directory the runbooks use, so you cannot decide.',
  'not-offered': 'This step does not offer that choice.',
  'self-skip': 'You requested this run, so you cannot skip its steps.',
  'not-allowed': 'You hold no role that may take that choice.',
  'reason-required': 'Skipping or aborting needs a reason.',
  'not-found': 'No such run.',
};

export function handRefusalText(reason: HandRefusal): { zh: string; en: string } {
  return { zh: zhRefusals[reason], en: enRefusals[reason] };
}

export function handRefusalMessage(lang: 'zh' | 'en', reason: HandRefusal): string {
  return lang === 'en' ? enRefusals[reason] : zhRefusals[reason];
}

const zh = {
  listTitle: '待处置',
  listIntro:
    '以下运行的某个步骤在重试用尽后仍失败，或发现了意料之外的状态，运行已暂停，等待处置：重试、跳过（须填写理由，且不能由发起人跳过）或中止（须填写理由；中止时撤销已做的变更并生成报告）。',
  empty: '当前没有等待处置的步骤。',
  unavailable: (n: number) => `有 ${n} 个运行暂时无法读取状态，稍后刷新再试。`,
  run: '运行',
  runbook: '运行手册',
  step: '步骤',
  trouble: '原因',
  pausedAt: '暂停时间',
  yours: '您可以',
  none: '仅可查看',
  title: '暂停的步骤',
  notPaused: '该运行当前没有等待处置的步骤。',
  requester: '发起人',
  attempts: (n: number) => `已执行 ${n} 次`,
  cause: { failed: '重试用尽后仍失败', unexpected: '发现意料之外的状态' } satisfies Record<
    StepTrouble['cause'],
    string
  >,
  errorType: '错误类型',
  source: '出错的活动',
  evidence: '现场情况',
  skipMeans: '跳过意味着',
  roles: '可处置的角色',
  action: {
    retry: '重试此步骤',
    skip: '跳过此步骤',
    abort: '中止运行',
  } satisfies Record<HandAction, string>,
  actionShort: { retry: '重试', skip: '跳过', abort: '中止' } satisfies Record<HandAction, string>,
  choose: '处置',
  reason: '理由（跳过、中止时必填）',
  submit: '提交处置',
  cannotAct: '您没有处置此步骤的角色，或这是您发起的运行（不能跳过）。',
  history: '处置记录',
  decidedBy: '处置人',
  decidedTitle: '已处置',
  decided: (id: string, action: string) => `已对运行 ${id} 的暂停步骤提交处置：${action}。`,
  refusedTitle: '处置未被接受',
  back: '返回该步骤',
  detailLink: '处置',
};

const en: typeof zh = {
  listTitle: 'Steps waiting for an operator',
  listIntro:
    'A step of each of these runs failed past its retries or found a state it did not expect; the run has paused and waits: retry, skip (with a reason, never by its requester) or abort (with a reason; the changes made are undone and the report written).',
  empty: 'No step is waiting for an operator.',
  unavailable: (n) => `${n} run(s) could not be read just now; refresh later.`,
  run: 'Run',
  runbook: 'Runbook',
  step: 'Step',
  trouble: 'Why',
  pausedAt: 'Paused',
  yours: 'You may',
  none: 'view only',
  title: 'Paused step',
  notPaused: 'No step of this run is waiting for an operator.',
  requester: 'Requester',
  attempts: (n) => `run ${n} time(s)`,
  cause: { failed: 'failed past its retries', unexpected: 'found a state it did not expect' },
  errorType: 'Error type',
  source: 'Failed activity',
  evidence: 'What the step found',
  skipMeans: 'Skipping means',
  roles: 'Roles that may decide',
  action: { retry: 'Retry the step', skip: 'Skip the step', abort: 'Abort the run' },
  actionShort: { retry: 'retry', skip: 'skip', abort: 'abort' },
  choose: 'Decision',
  reason: 'Reason (required to skip or abort)',
  submit: 'Submit',
  cannotAct: 'You hold no role to decide on this step, or you requested the run (you cannot skip it).',
  history: 'Decisions',
  decidedBy: 'Decided by',
  decidedTitle: 'Decided',
  decided: (id, action) => `Your decision on the paused step of ${id} was taken: ${action}.`,
  refusedTitle: 'Decision not accepted',
  back: 'Back to the step',
  detailLink: 'Decide',
};

export const handWords = { zh, en };
