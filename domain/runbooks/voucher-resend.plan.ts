/**
 * Failed voucher resend's judgement, as pure functions: why each voucher failed, what to do with
 * it once the bank has answered, and the plans an approver reads. Kept out of the workflows so
 * every branch is unit-tested. The rule that matters most lives in `dispose`: a voucher is
 * resent only when the bank has answered and has no payable record of it.
 */
import { planDigest } from '../approvals/decision.ts';
import type { ApprovalPlan, Bilingual, PlanAction } from '../approvals/gate-types.ts';
import { listDigest } from '../approvals/proof.ts';
import type { BankAnswer } from '../bank-questions.ts';
import type { BaseDataKind } from '../base-data.ts';
import { voucherRuleSetText } from '../vouchers/rule-sets.ts';
import type {
  BatchSummary,
  DiagnosedVoucher,
  Disposition,
  FailedVoucher,
  FailureCause,
  HoldReason,
  PlannedVoucher,
  PlanVoucherSample,
  ProposedFix,
  VoucherOutcome,
  VoucherResult,
} from './voucher-resend.types.ts';

/** Failure codes the sandbox and the interface standard use for non-standard fields. */
const fieldCodes = ['E_ACCOUNT_FORMAT', 'E_FIELD_MISSING', 'E_AMOUNT'];

/** What finance staff call the bank's failure codes (the bank's own reason may hold payee data). */
export const failureLabels: Record<string, string> = {
  E_BASE_DATA_VERSION: '基础资料版本不一致',
  E_ACCOUNT_FORMAT: '收款人账号格式错误',
  E_FIELD_MISSING: '必填要素缺失',
  E_AMOUNT: '金额不合法',
  E_OUT_OF_WINDOW: '超出银行业务时间',
  E_SERIAL: '报文序号不连续',
  E_PAYEE_ACCOUNT: '收款人账号与户名不符',
  E_ACCOUNT_CLOSED: '收款人账户已销户',
  E_QUOTA: '授权支付额度不足',
};

export const causeLabels: Record<FailureCause, Bilingual> = {
  'base-data': { zh: '银行基础资料未同步', en: 'base data out of sync at the bank' },
  fields: { zh: '凭证要素不规范', en: 'non-standard fields' },
  window: { zh: '超出银行业务时间发送', en: 'sent outside the bank window' },
  unanswered: { zh: '已发送但银行未回执', en: 'sent, never answered' },
  serial: { zh: '报文序号问题（转序列号重置）', en: 'serial number problem (sequence resync)' },
  unknown: { zh: '本流程无法修复的失败原因', en: 'a failure this runbook cannot repair' },
};

export const holdLabels: Record<HoldReason, string> = {
  'no-answer': '银行未答复状态查询，不重发',
  serial: '报文序号问题，请执行序列号重置流程',
  'unknown-failure': '失败原因需业务处理',
  'bank-state': '银行状态异常，需人工核实',
  changed: '计划后凭证状态已变化，未重发',
  'base-data-not-acked': '银行未确认基础资料更新，未重发',
  'manual-fix': '凭证要素需人工修正',
  voiding: '财政端已申请作废，不重发',
  'approval-aged': '审批后银行营业时间未到，审批已过期，未重发（重新审批）',
};

export function failureLabel(code: string | null): string {
  if (!code) return '（无失败代码）';
  return failureLabels[code] ? `${failureLabels[code]}（${code}）` : code;
}

/** Every cause the records show; a voucher can have several (say, stale base data and a late send). */
export function causesOf(v: FailedVoucher): FailureCause[] {
  const code = v.failureCode ?? '';
  if (code === 'E_SERIAL') return ['serial'];
  const causes: FailureCause[] = [];
  if (code === 'E_BASE_DATA_VERSION' || v.staleBaseData.length > 0) causes.push('base-data');
  if (fieldCodes.includes(code) || !v.fields.ok) causes.push('fields');
  if (code === 'E_OUT_OF_WINDOW' || v.status === 'timed_out') causes.push('window');
  if (v.status === 'sent') causes.push('unanswered');
  const explained = ['E_BASE_DATA_VERSION', 'E_OUT_OF_WINDOW', ...fieldCodes];
  if (v.status === 'rejected' && !explained.includes(code)) causes.push('unknown');
  return causes.length > 0 ? causes : ['unknown'];
}

const hold = (reason: HoldReason, detail: string): Disposition => ({ kind: 'hold', reason, detail });

/**
 * What to do with a voucher once the bank has been asked. Resend only when the bank answered and
 * has no record of it, or has it only as rejected; align finance when the bank has it; hold
 * everything else with the reason.
 */
export function dispose(v: FailedVoucher, causes: FailureCause[], answer: BankAnswer | null): Disposition {
  if (v.voiding) return hold('voiding', '该凭证有作废申请');
  if (!answer) return hold('no-answer', '多轮状态查询均未获银行答复');
  if (answer.known && (answer.status === 'accepted' || answer.status === 'paid'))
    return { kind: 'align', bankStatus: answer.status };
  if (answer.known && answer.status !== 'rejected')
    return hold('bank-state', `银行记录状态为 ${answer.status ?? '未知'}`);
  if (causes.includes('serial')) return hold('serial', failureLabel(v.failureCode));
  if (causes.includes('unknown')) return hold('unknown-failure', failureLabel(v.failureCode));
  if (!v.fields.ok && !v.fields.fixable)
    return hold('manual-fix', v.fields.problems.map((p) => `${fieldLabel(p.field)}${p.message}`).join('；'));
  return { kind: 'resend', causes };
}

/** After the approval, in the window: what the bank's fresh answer allows for one planned voucher. */
export function decideAtResend(answer: BankAnswer | null): 'resend' | 'align' | 'hold' {
  if (!answer) return 'hold';
  if (!answer.known || answer.status === 'rejected') return 'resend';
  if (answer.status === 'accepted' || answer.status === 'paid') return 'align';
  return 'hold';
}

export const fieldLabels: Record<string, string> = {
  payeeAccountNo: '收款人账号',
  payeeAccountName: '收款人名称',
  payeeBankName: '收款人开户行',
  amountFen: '金额',
};
const fieldLabel = (field: string) => fieldLabels[field] ?? field;

/** Integer fen as yuan: 123456 → ¥1,234.56. */
export const yuan = (fen: number) =>
  `¥${Math.trunc(fen / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${String(fen % 100).padStart(2, '0')}`;

export const sum = (vs: readonly { amountFen: number }[]) => vs.reduce((s, v) => s + v.amountFen, 0);

/** At most this many vouchers are listed in a plan; the rest are counted and bound by digest. */
export const planListLimit = 500;

/** What the execution binds to, per voucher: identity, amount and the row state the plan saw. */
export function plannedOf(v: DiagnosedVoucher): PlannedVoucher {
  return { voucherNo: v.voucherNo, amountFen: v.amountFen, status: v.status, updatedAt: v.updatedAt };
}

export interface ResendPlanInput {
  bank: { code: string; name: string };
  found: number;
  foundFen: number;
  resend: {
    count: number;
    fen: number;
    sample: PlanVoucherSample[];
    causes: Partial<Record<FailureCause, number>>;
  };
  align: { count: number; fen: number; sample: string[] };
  holds: Partial<Record<HoldReason, number>>;
  fixes: ProposedFix[];
  baseData: { kind: BaseDataKind; version: number; acked: number }[];
  /** The bank's voucher field rule set(s) the vouchers were checked with. */
  ruleSets: string[];
  /** The plan's lists, bound by digest: resend and align, voucher by voucher (combine). */
  lists: { resend: string; align: string };
  reason?: string;
}

const kindLabels: Record<BaseDataKind, string> = {
  budget_unit: '预算单位',
  payee_account: '收款人账户',
  subject: '预算科目',
};

/** The guarded SQL of each bulk change, one template per list; the list itself is bound by digest. */
export function alignCommand(bank: string): string {
  return `UPDATE vouchers SET status = 'accepted', accepted_at = :now, failure_code = NULL, failure_reason = NULL, updated_at = :now WHERE bank_code = '${bank}' AND voucher_no IN (:align) AND status = :seen AND updated_at = :seen`;
}
export function requeueCommand(bank: string): string {
  return `UPDATE vouchers SET status = 'pending_send', submitted_at = :now, sent_at = NULL, serial_no = NULL, failure_code = NULL, failure_reason = NULL, updated_at = :now WHERE bank_code = '${bank}' AND voucher_no IN (:resend) AND status = :seen AND updated_at = :seen`;
}
/** After a resend whose acknowledgement was lost: finance follows the bank's answer. */
export function confirmCommand(bank: string): string {
  return `UPDATE vouchers SET status = 'accepted', accepted_at = :now, failure_code = NULL, failure_reason = NULL, updated_at = :now WHERE bank_code = '${bank}' AND voucher_no IN (:resend) AND status = :seen AND updated_at = :seen /* 银行已受理、回执未到 */`;
}
export function fixCommand(f: ProposedFix): string {
  return `UPDATE payee_accounts SET ${column(f.field)} = '${f.after}' WHERE id = '${f.payeeId}' AND ${column(f.field)} = '${f.before}' /* sha256 ${f.beforeDigest} */`;
}
export function baseDataCommand(kind: BaseDataKind, version: number): string {
  return `base_data ${kind} version=${version}`;
}

export function resendPlan(p: ResendPlanInput): ApprovalPlan {
  const bank = p.bank.code;
  const findings: Bilingual[] = [
    {
      zh: `共发现失败凭证 ${p.found} 张，合计 ${yuan(p.foundFen)}；已逐张向银行查询`,
      en: `${p.found} failed vouchers (${yuan(p.foundFen)}); the bank was asked about each`,
    },
  ];
  if (p.ruleSets.length > 0) findings.push(ruleSetFinding(p.ruleSets));
  for (const [cause, n] of Object.entries(p.resend.causes) as [FailureCause, number][])
    findings.push({ zh: `${causeLabels[cause].zh}：${n} 张`, en: `${causeLabels[cause].en}: ${n}` });
  findings.push({
    zh: `银行无记录（或仅有拒绝记录）、拟重发：${p.resend.count} 张，合计 ${yuan(p.resend.fen)}`,
    en: `The bank has no payable record; to resend: ${p.resend.count} (${yuan(p.resend.fen)})`,
  });
  if (p.resend.count > p.resend.sample.length)
    findings.push({
      zh: `凭证清单仅列 ${p.resend.sample.length} 张；完整清单摘要 ${p.lists.resend.slice(0, 16)}`,
      en: `Only ${p.resend.sample.length} vouchers are listed; full list digest ${p.lists.resend.slice(0, 16)}`,
    });
  if (p.align.count > 0)
    findings.push({
      zh: `银行已有记录（已受理/已支付），只更正财政端状态、不重发：${p.align.count} 张，合计 ${yuan(p.align.fen)}`,
      en: `The bank already has ${p.align.count}; only finance's status is corrected, nothing resent`,
    });
  for (const [reason, n] of Object.entries(p.holds) as [HoldReason, number][])
    findings.push({ zh: `不处理（${holdLabels[reason]}）：${n} 张`, en: `Held (${reason}): ${n}` });
  findings.push({
    zh: '每张凭证在银行营业时间内（按法定节假日与调休工作日历）重发前再次查询银行，银行仍无记录才重发；以凭证号为幂等键，银行按凭证号去重',
    en: 'Each voucher is asked about again in the bank window (Chinese working-day calendar) and resent only if the bank still has no record, under its own voucher number',
  });
  if (p.reason) findings.push({ zh: `发起原因：${p.reason}`, en: `Reason given: ${p.reason}` });

  const actions: PlanAction[] = [
    ...(p.align.count > 0
      ? [
          {
            kind: 'sql' as const,
            target: 'treasury',
            command: alignCommand(bank),
            list: 'align',
            description: {
              zh: `更正 ${p.align.count} 张银行已受理凭证的财政端状态（清单 align）`,
              en: `Correct finance's status of ${p.align.count} vouchers the bank has (list align)`,
            },
          },
        ]
      : []),
    ...p.fixes.map((f) => ({
      kind: 'sql' as const,
      target: 'treasury',
      command: fixCommand(f),
      description: {
        zh: `规范${fieldLabel(f.field)}（${f.kinds.map((k) => kindLabel[k]).join('、')}）`,
        en: `Normalise ${f.field} (${f.kinds.join(', ')})`,
      },
    })),
    ...p.baseData.map((b) => ({
      kind: 'message' as const,
      target: bank,
      command: baseDataCommand(b.kind, b.version),
      description: {
        zh: `向银行推送${kindLabels[b.kind]}基础资料更新至 v${b.version}（银行现为 v${b.acked}），等待银行确认`,
        en: `Push ${b.kind} base data v${b.version} (bank has v${b.acked}) and wait for its ack`,
      },
    })),
    ...(p.resend.count > 0
      ? [
          {
            kind: 'message' as const,
            target: bank,
            command: 'status_query voucherNo=<每张拟重发凭证>',
            description: {
              zh: '重发前再次查询银行（在银行营业时间内）',
              en: 'Ask the bank again just before resending (within the bank window)',
            },
          },
          {
            kind: 'sql' as const,
            target: 'treasury',
            command: requeueCommand(bank),
            list: 'resend',
            description: {
              zh: `重发 ${p.resend.count} 张凭证（清单 resend；收发程序以原凭证号发送，银行按凭证号去重）`,
              en: `Resend ${p.resend.count} vouchers (list resend; the send program sends each under its own number)`,
            },
          },
          {
            kind: 'sql' as const,
            target: 'treasury',
            command: confirmCommand(bank),
            list: 'resend',
            description: {
              zh: '重发后银行已受理但回执丢失的凭证：按银行答复更正财政端状态，不再重发',
              en: "Resent vouchers the bank accepted whose acknowledgement was lost: finance follows the bank's answer, nothing is resent again",
            },
          },
        ]
      : []),
  ];
  return {
    runbook: 'voucher-resend',
    title: {
      zh: `${p.bank.name}失败凭证修复与重发：${p.resend.count} 张，${yuan(p.resend.fen)}`,
      en: `Repair and resend ${p.resend.count} failed vouchers at ${bank} (${yuan(p.resend.fen)})`,
    },
    bank: p.bank,
    findings,
    actions,
    vouchers: p.resend.sample.map((v) => ({ ...v })),
    voucherTotals: { count: p.resend.count, amountFen: p.resend.fen, listDigest: p.lists.resend },
    lists: [
      { name: 'resend', count: p.resend.count, totalFen: p.resend.fen, digest: p.lists.resend },
      { name: 'align', count: p.align.count, totalFen: p.align.fen, digest: p.lists.align },
    ],
  };
}

/** Which field rules the vouchers were checked with, so the approver sees the bank's rule set. */
export function ruleSetFinding(names: readonly string[]): Bilingual {
  return {
    zh: `凭证要素校验规则：${names.map((n) => voucherRuleSetText(n, 'zh')).join('；')}`,
    en: `Voucher fields checked with the rule set ${names.map((n) => voucherRuleSetText(n, 'en')).join('; ')}`,
  };
}

/** What one batch tells its parent: counts, a sample for the plan, its resend digest, fixes and stale kinds. */
export function summarise(
  batch: number,
  diagnosed: readonly DiagnosedVoucher[],
  sampleSize: number,
): BatchSummary {
  const resend = diagnosed.filter((v) => v.disposition.kind === 'resend');
  const align = diagnosed.filter((v) => v.disposition.kind === 'align');
  const tally = <K extends string>(keys: K[]) => {
    const out: Partial<Record<K, number>> = {};
    for (const k of keys) out[k] = (out[k] ?? 0) + 1;
    return out;
  };
  const fixes = new Map<string, ProposedFix>();
  for (const v of resend)
    if (!v.fields.ok) for (const f of v.fields.fixes) fixes.set(`${f.payeeId}/${f.field}`, f);
  return {
    batch,
    count: diagnosed.length,
    fen: sum(diagnosed),
    causes: tally(diagnosed.flatMap((v) => v.causes)),
    resend: {
      count: resend.length,
      fen: sum(resend),
      sample: resend.slice(0, sampleSize).map((v) => ({
        voucherNo: v.voucherNo,
        amountFen: v.amountFen,
        payeeName: v.payee.name,
        payeeAccount: v.payee.account,
      })),
      causes: tally(resend.flatMap((v) => v.causes)),
      part: listPart(resend),
    },
    align: {
      count: align.length,
      fen: sum(align),
      sample: align.slice(0, 5).map((v) => v.voucherNo),
      part: listPart(align),
    },
    holds: tally(diagnosed.flatMap((v) => (v.disposition.kind === 'hold' ? [v.disposition.reason] : []))),
    resendDigest: planDigest(resend.map(plannedOf)),
    alignDigest: planDigest(align.map(plannedOf)),
    staleKinds: [...new Set(resend.flatMap((v) => v.staleBaseData.map((s) => s.kind)))],
    ruleSets: [...new Set(diagnosed.map((v) => v.ruleSet))],
    fixes: [...fixes.values()],
    manual: diagnosed
      .filter((v) => v.disposition.kind === 'hold' && v.disposition.reason === 'manual-fix')
      .slice(0, 50),
  };
}

/** The batches' summaries as one plan's figures. */
export function combine(summaries: readonly BatchSummary[]) {
  const add = <K extends string>(into: Partial<Record<K, number>>, from: Partial<Record<K, number>>) => {
    for (const [k, n] of Object.entries(from) as [K, number][]) into[k] = (into[k] ?? 0) + n;
    return into;
  };
  const sorted = [...summaries].sort((a, b) => a.batch - b.batch);
  const fixes = new Map<string, ProposedFix>();
  for (const s of sorted) for (const f of s.fixes) fixes.set(`${f.payeeId}/${f.field}`, f);
  return {
    found: sorted.reduce((n, s) => n + s.count, 0),
    foundFen: sorted.reduce((n, s) => n + s.fen, 0),
    causes: sorted.reduce((c, s) => add(c, s.causes), {} as Partial<Record<FailureCause, number>>),
    resend: {
      count: sorted.reduce((n, s) => n + s.resend.count, 0),
      fen: sorted.reduce((n, s) => n + s.resend.fen, 0),
      sample: sorted.flatMap((s) => s.resend.sample).slice(0, planListLimit),
      causes: sorted.reduce((c, s) => add(c, s.resend.causes), {} as Partial<Record<FailureCause, number>>),
    },
    align: {
      count: sorted.reduce((n, s) => n + s.align.count, 0),
      fen: sorted.reduce((n, s) => n + s.align.fen, 0),
      sample: sorted.flatMap((s) => s.align.sample).slice(0, 5),
    },
    holds: sorted.reduce((c, s) => add(c, s.holds), {} as Partial<Record<HoldReason, number>>),
    staleKinds: [...new Set(sorted.flatMap((s) => s.staleKinds))],
    ruleSets: [...new Set(sorted.flatMap((s) => s.ruleSets))],
    fixes: [...fixes.values()],
    manual: sorted.flatMap((s) => s.manual),
    /** Binds the approval to every batch's lists, in batch order. */
    lists: {
      resend: listDigest(sorted.map((s) => s.resend.part)),
      align: listDigest(sorted.map((s) => s.align.part)),
    },
  };
}

/** One batch's part of a plan list: the digest of its voucher numbers. */
export function listPart(vouchers: readonly { voucherNo: string }[]): string {
  return planDigest(vouchers.map((v) => v.voucherNo));
}

const kindLabel: Record<ProposedFix['kinds'][number], string> = {
  whitespace: '去除空格',
  'full-width': '全角转半角',
  length: '截断超长',
};

function column(field: ProposedFix['field']): string {
  return field === 'payeeAccountNo'
    ? 'account_no'
    : field === 'payeeAccountName'
      ? 'account_name'
      : 'bank_name';
}

/** The question put to a person: these payee records cannot be fixed automatically. */
export function manualFixPlan(bank: { code: string; name: string }, vs: DiagnosedVoucher[]): ApprovalPlan {
  return {
    runbook: 'voucher-resend',
    title: {
      zh: `${bank.name}：${vs.length} 张失败凭证的要素需人工修正`,
      en: `${bank.code}: ${vs.length} failed vouchers need their fields corrected by a person`,
    },
    bank,
    findings: [
      ruleSetFinding([...new Set(vs.map((v) => v.ruleSet))]),
      ...vs.slice(0, 50).map((v) => ({
        zh: `${v.voucherNo}（${v.payee.name} ${v.payee.account}）：${v.disposition.kind === 'hold' ? v.disposition.detail : ''}（规则 ${v.ruleSet}）`,
        en: `${v.voucherNo}: ${v.fields.ok ? '' : v.fields.problems.map((p) => `${p.field} ${p.message}`).join('; ')}`,
      })),
      {
        zh: '请在基础资料系统中修正上述收款人信息后选择“同意”，流程将重新校验并纳入重发；选择“驳回”则这些凭证本次不重发',
        en: 'Correct these payee records in the base-data system, then approve: the run checks them again and includes them; reject to leave them out of this run',
      },
    ],
    actions: [],
    vouchers: vs.slice(0, planListLimit).map((v) => ({
      voucherNo: v.voucherNo,
      amountFen: v.amountFen,
      payeeName: v.payee.name,
      payeeAccount: v.payee.account,
    })),
    voucherTotals: {
      count: vs.length,
      amountFen: sum(vs),
      listDigest: planDigest(vs.map((v) => [v.voucherNo, v.amountFen])),
    },
  };
}

export function countOutcomes(results: readonly VoucherResult[]): Partial<Record<VoucherOutcome, number>> {
  const counts: Partial<Record<VoucherOutcome, number>> = {};
  for (const r of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  return counts;
}

/** Voucher-number ranges of `size` from a sorted list of numbers. */
export function batchesOf(
  sorted: readonly string[],
  size: number,
): { first: string; last: string; count: number }[] {
  const out: { first: string; last: string; count: number }[] = [];
  for (let i = 0; i < sorted.length; i += size) {
    const chunk = sorted.slice(i, i + size);
    out.push({ first: chunk[0] as string, last: chunk[chunk.length - 1] as string, count: chunk.length });
  }
  return out;
}
