/**
 * The year-end rollover's judgement, as pure functions: the pre-checks' findings (each naming the
 * runbook that fixes it), the notices' ids and the words a bank and an approver read, the two plans
 * an approver sees — the freeze (the year frozen, each bank's quota cancellation, every voucher
 * unpaid at close and what the site's policy does with it) and the opening (the new year's row,
 * serials and base data, the opening, each bank's quota restoration) — and how a bank's answer is
 * judged against finance's totals.
 */
import { planDigest } from '../approvals/decision.ts';
import type { ApprovalPlan, Bilingual, PlanAction, PlanVoucher } from '../approvals/gate-types.ts';
import { listDigest, type ListMembership } from '../approvals/proof.ts';
import { formatFen } from '../display.ts';
import type {
  BankBookCheck,
  BankChannelCheck,
  CarryOverItem,
  CarryOverPolicy,
  NewYearBank,
  NoticeAnswer,
  NoticeOutcome,
  NoticePlan,
  PreCheckFinding,
  QuotaLine,
} from './year-end-rollover.types.ts';

export const runbook = 'year-end-rollover';

/** The vouchers of a year not settled yet: unpaid at close, carried over or returned by policy. */
export const unpaidStatuses = ['draft', 'pending_send', 'rejected', 'timed_out'] as const;

/** The id of one bank's year-end notice: the bank's idempotency key, the same for every run of that year. */
export function noticeId(fiscalYear: number, kind: NoticePlan['kind'], bank: string): string {
  return `YE${fiscalYear}-${kind === 'cancellation' ? 'ZX' : 'HF'}-${bank}`;
}

/** The id of the new year's quota that restores `quotaId` (quota ids are at most 32 characters). */
export function restoredQuotaId(quotaId: string, newYear: number): string {
  const id = `HF${newYear}-${quotaId}`;
  return id.length <= 32 ? id : `HF${newYear}-${planDigest(quotaId).slice(0, 24).toUpperCase()}`;
}

/** The base-data push of a bank's new-year confirmation, per kind. */
export function newYearPushId(fiscalYear: number, bank: string, kind: string): string {
  return `YE${fiscalYear}-JC-${bank}/${kind}`;
}

/** A notice built from its lines: their count and total. */
export function notice(
  fiscalYear: number,
  kind: NoticePlan['kind'],
  bank: string,
  lines: QuotaLine[],
  restores?: Record<string, string>,
): NoticePlan {
  return {
    noticeId: noticeId(fiscalYear, kind, bank),
    kind,
    bank,
    fiscalYear,
    lines,
    lineCount: lines.length,
    totalFen: lines.reduce((t, l) => t + l.amountFen, 0),
    ...(restores && { restores }),
  };
}

const kindLabel = { cancellation: '额度注销', restoration: '额度恢复' } as const;

/** What a notice does, as the plan lists it and the filing activity declares it: the lines bound by their digest. */
export function noticeCommand(n: Pick<NoticePlan, 'kind' | 'noticeId' | 'fiscalYear' | 'lines'>): string {
  const total = n.lines.reduce((t, l) => t + l.amountFen, 0);
  return `${kindLabel[n.kind]} ${n.noticeId}（${n.fiscalYear} 年度）：${n.lines.length} 笔，合计 ${formatFen(total)}，明细摘要 ${planDigest(n.lines).slice(0, 16)}`;
}

const checkRunbook = {
  'vouchers-in-flight': 'voucher-resend',
  'receipts-unregistered': 'receipt-registration-repair',
  'statements-differ': 'bank-reconciliation',
  'refunds-open': 'refund-tracking',
  'voids-open': 'void-status-check',
  channels: 'channel-recovery',
} as const;

const named = (first: string[], count: number) =>
  `${first.join('、')}${count > first.length ? ` 等 ${count} 项` : ''}`;

/** The red checks of each bank, in the order of the banks. */
export function preCheckFindings(books: BankBookCheck[], channels: BankChannelCheck[]): PreCheckFinding[] {
  const found: PreCheckFinding[] = [];
  for (const b of books) {
    const add = (check: PreCheckFinding['check'], count: number, detail: string, runbook?: string) =>
      found.push({ bank: b.bank, check, count, detail, runbook: runbook ?? checkRunbook[check] });
    if (b.inFlight.count > 0)
      add(
        'vouchers-in-flight',
        b.inFlight.count,
        `${b.inFlight.count} 张凭证在途（${named(b.inFlight.first, b.inFlight.count)}）`,
      );
    if (b.unregisteredReceipts.count > 0)
      add(
        'receipts-unregistered',
        b.unregisteredReceipts.count,
        `${b.unregisteredReceipts.count} 张回单未登记（${named(b.unregisteredReceipts.first, b.unregisteredReceipts.count)}）`,
      );
    const differing = b.statementDays.differing;
    if (differing.length > 0)
      add(
        'statements-differ',
        differing.length,
        `${differing.length} 天日报与财政支付不符（${differing
          .slice(0, 3)
          .map((d) => `${d.date} 银行 ${d.bank}，财政 ${d.finance}`)
          .join('；')}）`,
      );
    if (b.openRefunds.count > 0)
      add(
        'refunds-open',
        b.openRefunds.count,
        `${b.openRefunds.count} 笔退款未了结（${named(b.openRefunds.first, b.openRefunds.count)}）`,
      );
    if (b.openVoids.count > 0)
      add(
        'voids-open',
        b.openVoids.count,
        `${b.openVoids.count} 张凭证作废未确认（${named(b.openVoids.first, b.openVoids.count)}）`,
      );
  }
  for (const c of channels) if (!c.healthy) found.push(channelFinding(c));
  return found;
}

function channelFinding(c: BankChannelCheck): PreCheckFinding {
  return { bank: c.bank, check: 'channels', count: 1, detail: c.detail, runbook: checkRunbook.channels };
}

/** How a bank's answer stands against what finance sent. */
export function judgeAnswer(
  expected: { lineCount: number; totalFen: number },
  a: NoticeAnswer,
  pushes: number,
): NoticeOutcome['outcome'] | 'waiting' {
  if (a.status === 'refused') return 'refused';
  if (a.status !== 'confirmed') return 'waiting';
  if (a.bankLineCount !== expected.lineCount || a.bankTotalFen !== expected.totalFen) return 'totals-differ';
  return a.pushesAcked + a.pushesRejected.length < pushes ? 'waiting' : 'confirmed';
}

// ---- the freeze ----

export function freezeSql(fiscalYear: number): string {
  return `UPDATE fiscal_years SET state = 'frozen' WHERE year = ${fiscalYear} AND state = 'open'`;
}

export function closingSql(fiscalYear: number): string {
  return `UPDATE fiscal_years SET state = 'closing' WHERE year = ${fiscalYear} AND state = 'frozen'`;
}

export function carryOverSql(policy: CarryOverPolicy, fiscalYear: number): string {
  const unpaid = unpaidStatuses.map((s) => `'${s}'`).join(', ');
  return policy === 'carry'
    ? `UPDATE vouchers SET fiscal_year = ${fiscalYear + 1}, status = 'draft' WHERE voucher_no IN (:carry-over) AND fiscal_year = ${fiscalYear} AND status IN (${unpaid})`
    : `UPDATE vouchers SET status = 'rejected', failure_code = '${returnedCode}' WHERE voucher_no IN (:carry-over) AND fiscal_year = ${fiscalYear} AND status IN (${unpaid})`;
}

/** The failure code of a voucher returned to its budget unit at year end. */
export const returnedCode = 'E_YEAR_END_RETURNED';

export const carryOverList = 'carry-over';

/** The carry-over list as one part: what the plan's list digest binds and the activity shows. */
export function carryOverMembership(items: CarryOverItem[]): ListMembership {
  const part = items.map((i) => i.voucherNo);
  return { parts: [planDigest(part)], index: 0, part };
}

const shownVouchers = 500;

export interface FreezePlanInput {
  fiscalYear: number;
  banks: { code: string; name: string }[];
  freezeAt: string;
  cancellations: NoticePlan[];
  carryOver: CarryOverItem[];
  policy: CarryOverPolicy;
  reason?: string;
}

export function freezePlan(p: FreezePlanInput): ApprovalPlan {
  const y = p.fiscalYear;
  const total = p.cancellations.reduce((t, n) => t + n.totalFen, 0);
  const carried = p.carryOver.reduce((t, v) => t + v.amountFen, 0);
  const policyZh =
    p.policy === 'carry' ? `结转至 ${y + 1} 年度（转为草稿，待新年度重新提交）` : '退回预算单位';
  const actions: PlanAction[] = [
    {
      kind: 'sql',
      target: 'treasury',
      command: freezeSql(y),
      description: bi(
        `冻结 ${y} 年度：收发程序不再发送该年度的新凭证`,
        `Freeze ${y}: the send/receive programs send none of its new vouchers`,
      ),
    },
    {
      kind: 'sql',
      target: 'treasury',
      command: closingSql(y),
      description: bi(`${y} 年度进入结转`, `${y} enters closing`),
    },
    ...p.cancellations.map((n) => noticeAction(n, p.banks)),
  ];
  if (p.carryOver.length > 0)
    actions.push({
      kind: 'sql',
      target: 'treasury',
      command: carryOverSql(p.policy, y),
      list: carryOverList,
      description: bi(
        `年终未支付凭证 ${p.carryOver.length} 张（${formatFen(carried)}）：${policyZh}`,
        `${p.carryOver.length} voucher(s) unpaid at close (${formatFen(carried)}): ${p.policy === 'carry' ? `carried to ${y + 1}` : 'returned to their budget units'}`,
      ),
    });
  const vouchers: PlanVoucher[] = p.carryOver
    .slice(0, shownVouchers)
    .map((v) => ({ voucherNo: v.voucherNo, amountFen: v.amountFen }));
  const membership = carryOverMembership(p.carryOver);
  return {
    runbook,
    title: bi(`${y} 年度年终结转：冻结并注销额度`, `Year-end ${y}: freeze and cancel the quotas`),
    findings: [
      bi(
        `冻结时点 ${p.freezeAt}；${p.banks.length} 家代理银行预检查全部通过`,
        `Freezing at ${p.freezeAt}; every pre-check of ${p.banks.length} bank(s) green`,
      ),
      bi(
        `额度注销 ${p.cancellations.length} 家银行，合计 ${formatFen(total)}`,
        `Quota cancellation at ${p.cancellations.length} bank(s), ${formatFen(total)} in all`,
      ),
      bi(
        `年终未支付凭证 ${p.carryOver.length} 张，按本地政策${policyZh}`,
        `${p.carryOver.length} voucher(s) unpaid at close, by the site's policy ${p.policy}`,
      ),
      ...(p.reason ? [bi(`说明：${p.reason}`, `Reason: ${p.reason}`)] : []),
    ],
    actions,
    ...(vouchers.length > 0 && {
      vouchers,
      voucherTotals: {
        count: p.carryOver.length,
        amountFen: carried,
        listDigest: planDigest(membership.part),
      },
      lists: [
        {
          name: carryOverList,
          count: p.carryOver.length,
          totalFen: carried,
          digest: listDigest(membership.parts),
        },
      ],
    }),
  };
}

function noticeAction(n: NoticePlan, banks: { code: string; name: string }[]): PlanAction {
  const name = banks.find((b) => b.code === n.bank)?.name ?? n.bank;
  const zh =
    n.kind === 'cancellation'
      ? `向${name}发送额度注销通知，注销 ${n.lineCount} 笔额度的剩余 ${formatFen(n.totalFen)}；财政端同时将这些额度置为已注销`
      : `向${name}发送额度恢复通知，恢复 ${n.lineCount} 笔额度共 ${formatFen(n.totalFen)}；财政端同时下达新年度额度`;
  const en =
    n.kind === 'cancellation'
      ? `Quota cancellation to ${n.bank}: ${n.lineCount} quota(s), ${formatFen(n.totalFen)} left; finance marks them cancelled`
      : `Quota restoration to ${n.bank}: ${n.lineCount} quota(s), ${formatFen(n.totalFen)}; finance issues them for the new year`;
  return { kind: 'message', target: n.bank, command: noticeCommand(n), description: bi(zh, en) };
}

// ---- the opening ----

export function newYearRowSql(fiscalYear: number): string {
  return `INSERT INTO fiscal_years (year, state) VALUES (${fiscalYear + 1}, 'frozen')`;
}

export function serialRestartSql(b: Pick<NewYearBank, 'bank' | 'lastSerialOut' | 'lastSerialIn'>): string {
  return `UPDATE message_serials SET last_serial = 0 WHERE bank_code = '${b.bank}' (out ${b.lastSerialOut}, in ${b.lastSerialIn} kept as the year's last)`;
}

export function baseDataCommand(b: Pick<NewYearBank, 'bank' | 'baseData'>): string {
  return `新年度基础资料 → ${b.bank}：${b.baseData.map((d) => `${d.kind} v${d.version}`).join('、')}`;
}

export function openSql(fiscalYear: number): string {
  return `UPDATE fiscal_years SET state = 'open' WHERE year = ${fiscalYear + 1}; UPDATE fiscal_years SET state = 'closed' WHERE year = ${fiscalYear}`;
}

export function adjustmentSql(fiscalYear: number, from: string, until: string): string {
  return `INSERT INTO fiscal_year_adjustments (year, adjust_from, adjust_until) VALUES (${fiscalYear}, '${from}', '${until}')`;
}

/** The adjustment period (调整期) of the year just closed: from the opening day, fifteen days. */
export function adjustmentPeriod(openDate: string): { from: string; until: string } {
  const until = new Date(Date.parse(`${openDate}T00:00:00Z`) + 14 * 86_400_000).toISOString().slice(0, 10);
  return { from: openDate, until };
}

export interface OpenPlanInput {
  fiscalYear: number;
  banks: { code: string; name: string }[];
  openAt: string;
  openDate: string;
  newYear: NewYearBank[];
  restorations: NoticePlan[];
  cancelled: NoticeOutcome[];
}

export function openPlan(p: OpenPlanInput): ApprovalPlan {
  const y = p.fiscalYear;
  const adjust = adjustmentPeriod(p.openDate);
  const restored = p.restorations.reduce((t, n) => t + n.totalFen, 0);
  const actions: PlanAction[] = [
    {
      kind: 'sql',
      target: 'treasury',
      command: newYearRowSql(y),
      description: bi(`建立 ${y + 1} 年度（开启前不发送其凭证）`, `Create ${y + 1}, not open yet`),
    },
    ...p.newYear.flatMap((b): PlanAction[] => [
      {
        kind: 'sql',
        target: 'treasury',
        command: serialRestartSql(b),
        description: bi(
          `${b.bank} 报文序号按年度重新起算（${y} 年度末号：发 ${b.lastSerialOut}，收 ${b.lastSerialIn}）`,
          `${b.bank} serials restart for ${y + 1} (last of ${y}: out ${b.lastSerialOut}, in ${b.lastSerialIn})`,
        ),
      },
      {
        kind: 'message',
        target: b.bank,
        command: baseDataCommand(b),
        description: bi(`向 ${b.bank} 推送新年度基础资料，待其确认`, `New-year base data to ${b.bank}`),
      },
    ]),
    {
      kind: 'sql',
      target: 'treasury',
      command: openSql(y),
      description: bi(`开启 ${y + 1} 年度，关闭 ${y} 年度`, `Open ${y + 1}, close ${y}`),
    },
    {
      kind: 'sql',
      target: 'treasury',
      command: adjustmentSql(y, adjust.from, adjust.until),
      description: bi(
        `${y} 年度调整期 ${adjust.from} 至 ${adjust.until}`,
        `${y}'s adjustment period ${adjust.from} to ${adjust.until}`,
      ),
    },
    ...p.restorations.map((n) => noticeAction(n, p.banks)),
  ];
  return {
    runbook,
    title: bi(`${y + 1} 年度开启与额度恢复`, `Open ${y + 1} and restore the quotas`),
    findings: [
      bi(
        `${p.cancelled.length} 家银行已确认额度注销，金额与财政一致`,
        `${p.cancelled.length} bank(s) confirmed the cancellation with finance's totals`,
      ),
      bi(`开启时点 ${p.openAt}`, `Opening at ${p.openAt}`),
      bi(
        `额度恢复 ${p.restorations.length} 家银行，合计 ${formatFen(restored)}`,
        `Quota restoration at ${p.restorations.length} bank(s), ${formatFen(restored)} in all`,
      ),
    ],
    actions,
  };
}

function bi(zh: string, en: string): Bilingual {
  return { zh, en };
}
