/**
 * An agent bank's checks on an incoming payment voucher, in the order a bank applies them: fields,
 * amount, payee account format, base-data versions, business window. Each failure carries the
 * code the bank answers with and the reason in Chinese, as finance staff read it.
 */
import type { BaseDataVersions } from '../messages.ts';
import { inWindow } from '../calendar.ts';

export interface Rejection {
  code: string;
  reason: string;
}

export const rejectionCodes = {
  fieldMissing: 'E_FIELD_MISSING',
  amount: 'E_AMOUNT',
  accountFormat: 'E_ACCOUNT_FORMAT',
  baseData: 'E_BASE_DATA_VERSION',
  window: 'E_OUT_OF_WINDOW',
  serial: 'E_SERIAL',
} as const;

const required = [
  'voucherNo',
  'payType',
  'amountFen',
  'payeeAccountNo',
  'payeeAccountName',
  'budgetUnitCode',
  'subjectCode',
  'baseDataVersion',
] as const;

const fieldLabels: Record<(typeof required)[number], string> = {
  voucherNo: '凭证号',
  payType: '支付方式',
  amountFen: '金额',
  payeeAccountNo: '收款人账号',
  payeeAccountName: '收款人名称',
  budgetUnitCode: '预算单位',
  subjectCode: '预算科目',
  baseDataVersion: '基础资料版本',
};

export const accountNoPattern = /^\d{10,25}$/;

export function validateVoucher(
  body: Record<string, unknown>,
  ctx: { acked: BaseDataVersions; localTime: string; window: { open: string; close: string } },
): Rejection | undefined {
  const missing = required.filter((f) => body[f] === undefined || body[f] === null || body[f] === '');
  if (missing.length > 0) {
    return {
      code: rejectionCodes.fieldMissing,
      reason: `必填要素缺失：${missing.map((f) => fieldLabels[f]).join('、')}`,
    };
  }
  const amount = body.amountFen;
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount <= 0) {
    return { code: rejectionCodes.amount, reason: `金额不合法：${String(amount)}（须为大于零的整数分）` };
  }
  if (typeof body.payeeAccountNo !== 'string' || !accountNoPattern.test(body.payeeAccountNo)) {
    return {
      code: rejectionCodes.accountFormat,
      reason: `收款人账号格式错误：${String(body.payeeAccountNo)}`,
    };
  }
  const versions = body.baseDataVersion as Partial<BaseDataVersions>;
  for (const kind of ['budget_unit', 'payee_account', 'subject'] as const) {
    const v = versions[kind];
    if (typeof v !== 'number' || v > ctx.acked[kind]) {
      return {
        code: rejectionCodes.baseData,
        reason: `基础资料版本不一致（${kind}）：凭证引用版本 ${String(v)}，银行已接收版本 ${ctx.acked[kind]}`,
      };
    }
  }
  if (!inWindow(ctx.localTime, ctx.window)) {
    return {
      code: rejectionCodes.window,
      reason: `超出银行业务时间（${ctx.window.open}-${ctx.window.close}），收到时间 ${ctx.localTime}`,
    };
  }
  return undefined;
}
