/**
 * Exchange recovery's judgement, as pure functions: from what the client and its failed items show
 * to what to do — start a dead client, restart one that answers but no longer moves, replay the
 * failed items whose cause is mended (in pages, each one keyed statement), hold the others with
 * their reason, and name what only a person or the province can mend (the client's key and
 * certificate, a busy platform) — and the plan an approver reads.
 */
import type { ApprovalPlan, Bilingual, PlanAction } from '../approvals/gate-types.ts';
import type { ItemKey } from '../exchange-protocol.ts';
import { programAction } from './program-restart.plan.ts';
import type {
  ExchangeDecision,
  ExchangeDiagnosis,
  ExchangeTarget,
  FailedItem,
} from './exchange-recovery.types.ts';

/** Items replayed by one statement: its text stays within what an audit record holds. */
export const replayPageSize = 40;

/** Codes the platform refuses every call with until the client's key or certificate is mended. */
const credentialRefusals: Record<string, string> = {
  SIGNATURE_INVALID: '签名无效：客户端私钥与证书不符',
  CERT_EXPIRED: '证书已过期',
  CERT_UNTRUSTED: '证书非省厅 CA 签发',
  DIVISION_MISMATCH: '证书区划与本地区划不符',
};

export const itemText = (k: ItemKey) => `${k.fiscalYear}/${k.voucherType}/${k.voucherNo}`;

/** The statement that sets one page of failed items of one direction to be replayed; a row no longer failed is left be. */
export function replayStatement(
  division: string,
  direction: 'up' | 'down',
  keys: readonly ItemKey[],
): string {
  const list = keys.map((k) => `'${itemText(k)}'`).join(', ');
  return (
    `UPDATE exchange_items SET status = 'replay' WHERE division = '${division}' AND direction = '${direction}' ` +
    `AND status = 'failed' AND fiscal_year || '/' || voucher_type || '/' || voucher_no IN (${list})`
  );
}

/** The pages of a replay, by direction, in the order the items came. */
export function replayPages(items: readonly FailedItem[]): { direction: 'up' | 'down'; keys: ItemKey[] }[] {
  const pages: { direction: 'up' | 'down'; keys: ItemKey[] }[] = [];
  for (const direction of ['down', 'up'] as const) {
    const keys = items
      .filter((i) => i.direction === direction)
      .map(({ fiscalYear, voucherType, voucherNo }) => ({ fiscalYear, voucherType, voucherNo }));
    for (let i = 0; i < keys.length; i += replayPageSize)
      pages.push({ direction, keys: keys.slice(i, i + replayPageSize) });
  }
  return pages;
}

/** What to do about the client and its items. */
export function decideExchange(
  target: ExchangeTarget,
  d: ExchangeDiagnosis,
  options: { replay: boolean },
): ExchangeDecision {
  const s = d.status;
  const restart = !d.program.running ? 'start' : !s || d.moving === false ? 'restart' : undefined;
  const escalate: string[] = [];
  const code = s?.lastError?.code;
  if (code !== undefined && code in credentialRefusals)
    escalate.push(
      `省级平台拒绝客户端请求（${code}：${credentialRefusals[code]}）：须向省厅 CA 申请新的密钥与证书并在交换客户端主机上更换，重启无法解决`,
    );
  const cert = s?.certificate;
  if (cert && cert.daysLeft <= target.certificateWarnDays)
    escalate.push(`客户端证书 ${cert.daysLeft} 天后到期（${cert.notAfter}），请尽快向省厅 CA 申请续期`);
  const waitForPlatform = code === 'PLATFORM_BUSY';
  const replay = options.replay ? d.failed.filter((i) => i.blocked === undefined) : [];
  const held = d.failed.filter((i) => !replay.includes(i));
  const blockedDown = held.filter((i) => i.direction === 'down' && i.blocked !== undefined);
  const blockedUp = held.filter((i) => i.direction === 'up' && i.blocked !== undefined);
  if (blockedDown.length > 0)
    escalate.push(
      `${blockedDown.length} 笔下行凭证失败原因未消除（${blockedDown[0]?.blocked ?? ''}）：须先同步基础资料，再运行本 Runbook 重放`,
    );
  if (blockedUp.length > 0)
    escalate.push(`${blockedUp.length} 笔上行支付数据被省级平台拒收：须与省厅核对后处理`);
  const why = [
    !d.program.running
      ? `交换客户端未运行：${d.program.detail}`
      : !s
        ? `交换客户端管理端口无应答：${d.statusError ?? ''}`
        : d.moving === false
          ? `交换客户端在运行但已停止处理（第 ${s.cycles} 轮后无进展）`
          : '交换客户端运行正常',
    ...(waitForPlatform
      ? ['省级平台以繁忙（PLATFORM_BUSY）拒收上行支付数据：等待平台恢复后积压自动上送']
      : []),
    ...(replay.length > 0 ? [`${replay.length} 笔失败数据的原因已消除，可重放`] : []),
    ...(held.length > 0 ? [`${held.length} 笔失败数据原因未消除，暂不重放`] : []),
    ...escalate,
  ].join('\n');
  return { ...(restart && { restart }), replay, held, escalate, waitForPlatform, why };
}

/** Whether the decision changes anything (a restart or a replay) — otherwise nothing to approve. */
export const changesSomething = (d: ExchangeDecision) => d.restart !== undefined || d.replay.length > 0;

/** The actions of a decision: stop and start the client, then each page of the replay. */
export function exchangeActions(target: ExchangeTarget, d: ExchangeDecision): PlanAction[] {
  const client = { name: target.program, host: target.host };
  const say = (zh: string, en: string): Bilingual => ({ zh, en });
  return [
    ...(d.restart === 'restart'
      ? [
          {
            ...programAction('STOP', client),
            description: say('停止交换客户端（已停止处理）', 'Stop the client (it no longer moves)'),
          },
        ]
      : []),
    ...(d.restart
      ? [
          {
            ...programAction('START', client),
            description: say('启动交换客户端', 'Start the exchange client'),
          },
        ]
      : []),
    ...replayPages(d.replay).map((p) => ({
      kind: 'sql' as const,
      target: 'treasury',
      command: replayStatement(target.division, p.direction, p.keys),
      description: say(
        `重放 ${p.keys.length} 笔${p.direction === 'down' ? '下行凭证（重新签收）' : '上行支付数据（重新上送）'}；已不处于失败状态的不再处理，省级平台按区划、年度、凭证类型、凭证号去重`,
        `Replay ${p.keys.length} ${p.direction} item(s), keyed; the platform takes each once`,
      ),
    })),
  ];
}

export function exchangePlan(target: ExchangeTarget, d: ExchangeDecision, reason?: string): ApprovalPlan {
  const say = (zh: string, en: string): Bilingual => ({ zh, en });
  return {
    runbook: 'exchange-recovery',
    title: say(
      `恢复${target.name}（区划 ${target.division}）`,
      `Recover the exchange client ${target.subsystem}`,
    ),
    findings: [
      say(d.why, `${d.restart ?? 'no'} restart; ${d.replay.length} item(s) to replay; ${d.held.length} held`),
      ...d.held
        .slice(0, 20)
        .map((i) =>
          say(`暂不重放 ${i.direction} ${itemText(i)}：${i.blocked ?? ''}`, `held: ${itemText(i)}`),
        ),
      ...(reason ? [say(`发起原因：${reason}`, `Reason given: ${reason}`)] : []),
    ],
    actions: exchangeActions(target, d),
  };
}
