/**
 * Every word the inbox shows, in Chinese (the default) and English, plus the bilingual refusal
 * texts the JSON API hands to the CLI. Pages take `messages(lang)`; nothing user-visible is
 * written anywhere else in inbox/.
 */
import type { GateVerdict, PlanAction, RefusalReason } from '../workflows/shared/approval-messages.ts';

export const languages = ['zh', 'en'] as const;
export type Lang = (typeof languages)[number];

/** Refusals the inbox itself decides before anything is signed. */
export type InboxRefusal = 'plan-changed' | 'not-found' | 'not-allowed';
export type DecisionRefusal = RefusalReason | InboxRefusal;

const zhRefusals: Record<DecisionRefusal, string> = {
  malformed: '决定的格式不正确，未被接受。',
  'no-pending-approval': '该运行当前没有待审批事项（可能已由他人审批完毕，或已过期）。',
  'wrong-workflow': '该决定不属于这个运行。',
  'wrong-gate': '审批事项已经更换，请查看最新的方案后再审批。',
  'unknown-key': '收件箱的签名密钥不被运行手册信任，请联系系统管理员。',
  'bad-signature': '决定的签名校验失败，未被接受。',
  'expired-decision': '决定提交超时，请重新提交。',
  'future-decision': '决定的时间晚于当前时间，请联系管理员检查服务器时钟。',
  replayed: '该决定已经被使用过，不能重复提交。',
  'wrong-plan': '方案已经变化，请查看最新的方案后再审批。',
  'unknown-user': '您不在该事项的审批人名单中。',
  'self-approval': '这是您发起的运行，不能自己审批。',
  'wrong-role': '您没有该事项所需的审批角色。',
  'already-voted': '您已经对该事项表过态，不能重复审批。',
  'reason-required': '拒绝时必须填写原因（至少 2 个字）。',
  'plan-changed': '您看到的方案已经变化，未作审批。请查看最新的方案后再决定。',
  'not-found': '找不到该运行。',
  'not-allowed': '您没有查看或审批此事项的权限。',
};

const enRefusals: Record<DecisionRefusal, string> = {
  malformed: 'The decision was malformed and not accepted.',
  'no-pending-approval':
    'This run is not waiting for an approval (others may have decided already, or it expired).',
  'wrong-workflow': 'The decision belongs to another run.',
  'wrong-gate': 'The approval request has been replaced; review the current plan before deciding.',
  'unknown-key': "The runbook does not trust the inbox's signing key; contact the administrator.",
  'bad-signature': "The decision's signature did not verify; it was not accepted.",
  'expired-decision': 'The decision arrived too late; submit it again.',
  'future-decision':
    "The decision is dated in the future; ask the administrator to check the server's clock.",
  replayed: 'This decision has already been used.',
  'wrong-plan': 'The plan has changed; review the current plan before deciding.',
  'unknown-user': 'You are not among the approvers of this request.',
  'self-approval': 'You requested this run; you cannot approve it yourself.',
  'wrong-role': 'You hold none of the roles this approval needs.',
  'already-voted': 'You have already decided on this approval.',
  'reason-required': 'A rejection needs a reason (at least 2 characters).',
  'plan-changed': 'The plan you saw has changed; nothing was decided. Review the current plan first.',
  'not-found': 'No such run.',
  'not-allowed': 'You may not see or decide on this approval.',
};

export function refusalText(reason: DecisionRefusal): { zh: string; en: string } {
  return { zh: zhRefusals[reason], en: enRefusals[reason] };
}

const zh = {
  lang: 'zh-CN',
  appName: '审批收件箱',
  switchLanguage: 'English',
  nav: { pending: '待审批', history: '我的审批记录', signOut: '退出登录', temporalUi: 'Temporal 控制台' },
  signedInAs: (name: string, id: string) => `${name}（${id}）`,
  login: {
    title: '登录',
    user: '用户名',
    password: '密码',
    submit: '登录',
    failed: '用户名或密码错误。',
    throttled: (seconds: number) => `登录尝试次数过多，请 ${seconds} 秒后再试。`,
    signedOut: '您已退出登录。',
    expired: '请先登录。会话不存在或已过期。',
  },
  list: {
    title: '待审批',
    empty: '当前没有需要您审批的事项。',
    runbook: '运行手册',
    bank: '银行',
    subject: '事项',
    requestedBy: '申请人',
    votes: '票数',
    deadline: '截止时间',
    own: '您发起的，不能自己审批',
    voted: '您已表态',
    escalated: '已升级',
    unavailable: (n: number) => `有 ${n} 个运行暂时无法读取状态，稍后刷新再试。`,
  },
  detail: {
    summary: '概要',
    run: '运行',
    runbook: '运行手册',
    step: '审批步骤',
    bank: '银行',
    channel: '通道',
    requestedBy: '申请人',
    digest: '方案摘要',
    digestHint: '审批与此摘要绑定；方案有任何变化都需要重新审批。',
    roles: '需要角色',
    votes: '票数',
    votesValue: (n: number, q: number) => `${n} / ${q}（同意票 / 所需票数）`,
    openedAt: '发起时间',
    remindAt: '提醒时间',
    escalateAt: '升级时间',
    expireAt: '截止时间',
    escalation: '升级状态',
    escalatedTo: (roles: string) => `已升级，现可由 ${roles} 审批`,
    notEscalated: '未升级',
    findings: '检查发现',
    noFindings: '（无）',
    actions: '将要执行的操作',
    target: '执行位置',
    vouchers: '涉及凭证',
    voucherNo: '凭证号',
    amount: '金额',
    payeeName: '收款人',
    payeeAccount: '收款账号',
    total: (n: number) => `合计（${n} 笔）`,
    listedOf: (listed: number, count: number, digest: string) =>
      `以下仅列出其中 ${listed} 笔（共 ${count} 笔）；完整清单摘要 ${digest}`,
    votesSoFar: '已有表态',
    noVotes: '暂无',
    approveTitle: '同意',
    comment: '审批意见（可选）',
    approve: '同意执行',
    rejectTitle: '拒绝',
    reason: '拒绝原因（必填）',
    reject: '拒绝',
    notPending: '此运行当前没有待审批事项。',
    closed: '已结束的审批',
    cannotOwn: '这是您发起的运行，不能自己审批。',
    cannotVoted: '您已经对该事项表过态。',
    cannotRole: '您没有该事项所需的审批角色，只能查看。',
  },
  actionKind: {
    mqsc: 'MQSC 命令',
    sql: 'SQL 语句',
    message: '报文',
    file: '文件',
    host: '主机命令',
  } satisfies Record<PlanAction['kind'], string>,
  verdict: { approve: '同意', reject: '拒绝' },
  outcome: { approved: '已批准', rejected: '已拒绝', expired: '已过期' } satisfies Record<
    GateVerdict,
    string
  >,
  via: { inbox: '审批收件箱', cli: '命令行' },
  result: {
    title: '审批结果',
    accepted: (verdict: string) => `您的决定（${verdict}）已被运行手册接受。`,
    pending: (n: number, q: number) => `目前 ${n} / ${q} 票同意，仍在等待其他审批人。`,
    approved: '方案已批准，运行手册将继续执行。',
    rejected: '方案已被拒绝，运行手册不会执行该方案。',
    refusedTitle: '决定未被接受',
    back: '返回该审批',
    toList: '返回待审批列表',
  },
  history: {
    title: '我的审批记录',
    empty: '暂无审批记录。',
    unavailable: '审批记录暂不可用。',
    at: '时间',
    run: '运行',
    step: '审批步骤',
    verdict: '决定',
    reason: '意见 / 原因',
    digest: '方案摘要',
    via: '途径',
  },
  errors: {
    forbiddenTitle: '请求被拒绝',
    csrf: '表单已失效或请求来源不可信，本次操作未执行。请返回页面、刷新后重试。',
    notFoundTitle: '找不到页面',
    notFound: '找不到您要的页面或运行。',
    notAllowed: '您没有查看或审批此事项的权限。',
    badRequestTitle: '请求有误',
    serverTitle: '服务器错误',
    server: '处理请求时出错，本次操作可能未执行。请稍后重试，或联系系统管理员。',
    temporal: '暂时无法连接工作流服务，请稍后重试。',
    reasonTooLong: '原因太长（最多 1000 字）。',
    uiEngineersOnly: 'Temporal Web UI 仅供运维工程师使用。审批人请在本收件箱中查看方案并审批。',
  },
};

export type Messages = typeof zh;

const en: Messages = {
  lang: 'en',
  appName: 'Approval inbox',
  switchLanguage: '中文',
  nav: {
    pending: 'Pending approvals',
    history: 'My decisions',
    signOut: 'Sign out',
    temporalUi: 'Temporal Web UI',
  },
  signedInAs: (name, id) => `${name} (${id})`,
  login: {
    title: 'Sign in',
    user: 'User ID',
    password: 'Password',
    submit: 'Sign in',
    failed: 'Wrong user ID or password.',
    throttled: (seconds) => `Too many sign-in attempts; try again in ${seconds} s.`,
    signedOut: 'You have signed out.',
    expired: 'Please sign in. There is no session, or it has expired.',
  },
  list: {
    title: 'Pending approvals',
    empty: 'Nothing is waiting for your approval.',
    runbook: 'Runbook',
    bank: 'Bank',
    subject: 'Subject',
    requestedBy: 'Requested by',
    votes: 'Votes',
    deadline: 'Deadline',
    own: 'You requested this; you cannot approve it yourself',
    voted: 'You have decided',
    escalated: 'Escalated',
    unavailable: (n) => `${n} run(s) could not be read just now; refresh later.`,
  },
  detail: {
    summary: 'Summary',
    run: 'Run',
    runbook: 'Runbook',
    step: 'Approval step',
    bank: 'Bank',
    channel: 'Channel',
    requestedBy: 'Requested by',
    digest: 'Plan digest',
    digestHint: 'The approval binds to this digest; any change to the plan needs a new approval.',
    roles: 'Roles needed',
    votes: 'Votes',
    votesValue: (n, q) => `${n} / ${q} (approvals / needed)`,
    openedAt: 'Opened',
    remindAt: 'Reminder',
    escalateAt: 'Escalates',
    expireAt: 'Expires',
    escalation: 'Escalation',
    escalatedTo: (roles) => `Escalated; ${roles} may now decide`,
    notEscalated: 'Not escalated',
    findings: 'Findings',
    noFindings: '(none)',
    actions: 'What will be executed',
    target: 'Runs on',
    vouchers: 'Vouchers',
    voucherNo: 'Voucher no.',
    amount: 'Amount',
    payeeName: 'Payee',
    payeeAccount: 'Payee account',
    total: (n) => `Total (${n})`,
    listedOf: (listed, count, digest) =>
      `Only ${listed} of the ${count} are listed below; full list digest ${digest}`,
    votesSoFar: 'Votes so far',
    noVotes: 'None yet',
    approveTitle: 'Approve',
    comment: 'Comment (optional)',
    approve: 'Approve',
    rejectTitle: 'Reject',
    reason: 'Reason (required)',
    reject: 'Reject',
    notPending: 'This run is not waiting for an approval.',
    closed: 'Closed approvals',
    cannotOwn: 'You requested this run; you cannot approve it yourself.',
    cannotVoted: 'You have already decided on this approval.',
    cannotRole: 'You hold none of the roles this approval needs; you may only look.',
  },
  actionKind: {
    mqsc: 'MQSC command',
    sql: 'SQL statement',
    message: 'Message',
    file: 'File',
    host: 'Host command',
  },
  verdict: { approve: 'approve', reject: 'reject' },
  outcome: { approved: 'approved', rejected: 'rejected', expired: 'expired' },
  via: { inbox: 'inbox', cli: 'CLI' },
  result: {
    title: 'Decision',
    accepted: (verdict) => `The runbook accepted your decision (${verdict}).`,
    pending: (n, q) => `${n} of ${q} approvals so far; waiting for other approvers.`,
    approved: 'The plan is approved; the runbook continues.',
    rejected: 'The plan is rejected; the runbook will not execute it.',
    refusedTitle: 'Decision not accepted',
    back: 'Back to the approval',
    toList: 'Back to pending approvals',
  },
  history: {
    title: 'My decisions',
    empty: 'No decisions yet.',
    unavailable: 'The decision history is not available.',
    at: 'When',
    run: 'Run',
    step: 'Step',
    verdict: 'Decision',
    reason: 'Comment / reason',
    digest: 'Plan digest',
    via: 'Via',
  },
  errors: {
    forbiddenTitle: 'Request refused',
    csrf: 'The form has expired or the request came from an untrusted page; nothing was done. Go back, reload and try again.',
    notFoundTitle: 'Not found',
    notFound: 'No such page or run.',
    notAllowed: 'You may not see or decide on this approval.',
    badRequestTitle: 'Bad request',
    serverTitle: 'Server error',
    server:
      'Something went wrong; the action may not have been carried out. Try again later or contact the administrator.',
    temporal: 'The workflow service cannot be reached just now; try again later.',
    reasonTooLong: 'The reason is too long (at most 1000 characters).',
    uiEngineersOnly:
      'The Temporal Web UI is for engineers. Approvers read plans and decide here, in the inbox.',
  },
};

export function messages(lang: Lang): Messages {
  return lang === 'en' ? en : zh;
}

export function refusalMessage(lang: Lang, reason: DecisionRefusal): string {
  return lang === 'en' ? enRefusals[reason] : zhRefusals[reason];
}

export function isLang(value: unknown): value is Lang {
  return value === 'zh' || value === 'en';
}
