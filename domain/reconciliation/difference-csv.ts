/**
 * The downloadable difference file: CSV in UTF-8 with a byte-order mark (so Excel opens Chinese
 * text correctly), a header row in Chinese and one row per difference.
 */
import { causes } from './classify.ts';
import type { Difference, SideLine } from './compare.ts';
import { yuan, type LineStatus } from './statement.ts';

export const csvBom = '\uFEFF';

export const typeLabels: Record<Difference['type'], string> = {
  'only-at-finance': '财政有银行无',
  'only-at-bank': '银行有财政无',
  'amount-differs': '金额不符',
  'status-differs': '状态不符',
  duplicate: '重复记录',
};

export const statusLabels: Record<LineStatus, string> = {
  accepted: '已受理未支付',
  paid: '已支付',
  refunded: '已退款',
  '': '',
};

export const differenceCsvHeader =
  [
    '差异类型',
    '重复方',
    '凭证号',
    '明细号',
    '预算单位',
    '单位名称',
    '功能科目',
    '财政金额(元)',
    '银行金额(元)',
    '财政状态',
    '银行状态',
    '银行对账单行号',
    '可能原因',
    '处理 runbook',
  ].join(',') + '\r\n';

export function differenceCsvRow(d: Difference): string {
  const amounts = (s?: SideLine) => s?.amounts.map(yuan).join(' / ') ?? '';
  const sideLabel = d.side === 'bank' ? '银行' : d.side === 'finance' ? '财政' : '';
  return (
    [
      typeLabels[d.type],
      sideLabel,
      d.voucherNo,
      d.detailId,
      d.budgetUnit,
      d.unitName,
      d.subject,
      amounts(d.finance),
      amounts(d.bank),
      d.finance ? statusLabels[d.finance.status] : '',
      d.bank ? statusLabels[d.bank.status] : '',
      d.bank ? String(d.bank.lineNo) : '',
      causes[d.cause],
      d.fix ?? '人工处理',
    ]
      .map(csvCell)
      .join(',') + '\r\n'
  );
}

function csvCell(value: string): string {
  // A cell starting with = + @ would be a formula to a spreadsheet.
  const safe = /^[=+@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
