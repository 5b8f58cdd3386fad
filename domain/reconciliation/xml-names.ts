/** Element names of the XML statement packages and replies (after the 2019 message spec). */
import type { LineField } from './statement.ts';

export const headElements = {
  divisionCode: 'AdmDivCode',
  fiscalYear: 'StYear',
  voucherType: 'VtCode',
  statementNo: 'VouNo',
  clearingAccount: 'ClearAccountNo',
  beginDate: 'BeginDate',
  endDate: 'EndDate',
  allNum: 'AllNum',
  allAmt: 'AllAmt',
  childPackNum: 'ChildPackNum',
  curPackNo: 'CurPackNo',
} as const;

export const detailElements: Record<LineField, string> = {
  voucherNo: 'VoucherNo',
  detailId: 'PayDetailId',
  budgetUnit: 'AgencyCode',
  unitName: 'AgencyName',
  fundType: 'FundTypeCode',
  subject: 'ExpFuncCode',
  payType: 'PayTypeCode',
  amount: 'PayAmt',
  status: 'PayStatus',
  issued: 'IssuedAmt',
  paid: 'PaidAmt',
  returned: 'ReturnedAmt',
  remaining: 'RemainAmt',
};

export const xml = {
  root: 'MOF',
  head: 'VouchHead',
  body: 'VouchBody',
  detail: 'Detail',
  checkResult: 'XCheckResult',
  diffNum: 'XDiffNum',
  checkReason: 'XCheckReason',
} as const;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
