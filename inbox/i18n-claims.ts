/**
 * The words of claiming a run, in Chinese (the default) and English: the 待认领 list, the
 * requester on a run's page, the claim form and its outcome (`messages(lang).claim`), and the
 * bilingual refusal texts the JSON API hands to the CLI.
 */
import type { Requester } from '../domain/approvals/gate-types.ts';
import type { ClaimRefusal } from './claims.ts';

const zhRefusals: Record<ClaimRefusal, string> = {
  malformed: '认领的格式不正确，未被接受。',
  'not-awaiting-claim': '该运行当前不在等待认领（它已由收件箱签名发起，或尚未走到审批步骤）。',
  'wrong-run': '该运行已被重置或重新启动，请刷新页面后重新认领。',
  'unknown-key': '收件箱的签名密钥不被运行手册信任，请联系系统管理员。',
  'bad-signature': '认领的签名校验失败，未被接受。',
  'expired-claim': '认领提交超时，请重新提交。',
  'future-claim': '认领的时间晚于当前时间，请联系管理员检查服务器时钟。',
  'unknown-user': '您不在运行手册所用的用户目录中，不能认领。',
  'not-a-starter': '您没有发起运行手册的角色，不能认领。',
  'not-found': '找不到该运行。',
  'not-allowed': '仅运维工程师（可发起运行手册的角色）可以认领运行。',
  'already-claimed': '该运行已被认领，不能重复认领。',
};

const enRefusals: Record<ClaimRefusal, string> = {
  malformed: 'The claim was malformed and not accepted.',
  'not-awaiting-claim':
    'This run is not waiting to be claimed (the inbox signed its start, or it has not reached its approval yet).',
  'wrong-run': 'The run was reset or started again; reload the page and claim it again.',
  'unknown-key': "The runbook does not trust the inbox's signing key; contact the administrator.",
  'bad-signature': "The claim's signature did not verify; it was not accepted.",
  'expired-claim': 'The claim arrived too late; submit it again.',
  'future-claim': "The claim is dated in the future; ask the administrator to check the server's clock.",
  'unknown-user': 'You are not in the user directory the runbooks use, so you cannot claim.',
  'not-a-starter': 'You hold no role that may start runbooks, so you cannot claim.',
  'not-found': 'No such run.',
  'not-allowed': 'Only engineers (a role that may start runbooks) can claim runs.',
  'already-claimed': 'This run has already been claimed.',
};

export function claimRefusalText(reason: ClaimRefusal): { zh: string; en: string } {
  return { zh: zhRefusals[reason], en: enRefusals[reason] };
}

const zh = {
  listTitle: '待认领',
  listIntro:
    '以下运行启动时没有经收件箱签名的申请人（从 Temporal 控制台、定时任务或巡检自动发起），须由运维工程师认领后才会请求审批。认领人即成为申请人，不能审批该运行。',
  empty: '当前没有等待认领的运行。',
  run: '运行',
  runbook: '运行手册',
  bank: '银行',
  namedRequester: '输入中的申请人（未经验证）',
  startedAt: '发起时间',
  requester: '申请人',
  via: {
    start: '由收件箱签名发起',
    claim: '已认领（收件箱签名）',
    unverified: '未经验证',
  } satisfies Record<Requester['via'], string>,
  awaiting: '此运行启动时没有经签名的申请人，正在等待认领：须由运维工程师认领后，才会向审批人请求审批。',
  claimTitle: '认领此运行',
  claimHint: '认领后您即成为该运行的申请人，由收件箱签名证明；按四眼原则，您将不能审批它。',
  reason: '认领说明（可选）',
  submit: '认领',
  engineersOnly: '仅运维工程师可以认领此运行；认领后审批请求才会出现。',
  cannotApproveClaimed: '您已认领此运行，是它的申请人，不能自己审批。',
  claimedTitle: '已认领',
  claimed: (id: string) =>
    `您已认领运行 ${id}，现为其申请人。审批请求将发给审批人；按四眼原则，您不能审批此运行。`,
  refusedTitle: '认领未被接受',
  back: '返回该运行',
};

const en: typeof zh = {
  listTitle: 'Waiting to be claimed',
  listIntro:
    'These runs started without a requester the inbox signed for (from the Temporal Web UI, a schedule or the inspection); an engineer must claim each before it asks for approval. The claimant becomes its requester and cannot approve it.',
  empty: 'No run is waiting to be claimed.',
  run: 'Run',
  runbook: 'Runbook',
  bank: 'Bank',
  namedRequester: 'Requester named in the input (unverified)',
  startedAt: 'Started',
  requester: 'Requester',
  via: {
    start: 'started through the inbox, signed',
    claim: 'claimed, signed by the inbox',
    unverified: 'unverified',
  },
  awaiting:
    'Nobody signed for this run at its start; it waits to be claimed: once an engineer claims it, it asks the approvers.',
  claimTitle: 'Claim this run',
  claimHint:
    'Claiming makes you its requester, as the inbox signs; by the four-eyes rule you then cannot approve it.',
  reason: 'Why you claim it (optional)',
  submit: 'Claim',
  engineersOnly: 'Only engineers can claim this run; its approval request appears once it is claimed.',
  cannotApproveClaimed: 'You claimed this run and are its requester; you cannot approve it yourself.',
  claimedTitle: 'Claimed',
  claimed: (id) =>
    `You have claimed ${id} and are now its requester. The approvers will be asked; by the four-eyes rule you cannot approve it.`,
  refusedTitle: 'Claim not accepted',
  back: 'Back to the run',
};

export const claimWords = { zh, en };

export function claimRefusalMessage(lang: 'zh' | 'en', reason: ClaimRefusal): string {
  return lang === 'en' ? enRefusals[reason] : zhRefusals[reason];
}
