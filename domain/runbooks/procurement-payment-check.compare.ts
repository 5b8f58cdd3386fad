/**
 * The procurement contract and payment check's comparison, as a pure function: the treasury's
 * contracts and the payments against them (confirmations and their vouchers) side by side with
 * what the procurement cloud holds, each difference with its likely cause and who fixes it — a
 * runbook where one can (a push that never arrived: `procurement-push-retry`), a person otherwise
 * (a supplementary contract, a confirmation corrected on the cloud, a refund).
 */
import { formatFen } from '../display.ts';
import { pushFailureKind } from './procurement.ts';
import type {
  CloudContract,
  ContractFigures,
  PaymentDifference,
  ProcurementLedger,
} from './procurement-payment-check.types.ts';

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/**
 * Compares the ledger with the cloud's contracts (`cloud` undefined: the cloud did not answer, only
 * the treasury's own figures are compared).
 */
export function comparePayments(
  ledger: ProcurementLedger,
  cloud: Readonly<Record<string, CloudContract | null>> | undefined,
): { contracts: ContractFigures[]; differences: PaymentDifference[] } {
  const differences: PaymentDifference[] = [];
  const known = new Set(ledger.contracts.map((c) => c.contractNo));
  for (const p of ledger.payments.filter((x) => !known.has(x.contractNo)))
    differences.push({
      kind: 'PAYMENT_WITHOUT_CONTRACT',
      contractNo: p.contractNo,
      confirmationNo: p.confirmationNo,
      voucherNo: p.voucherNo,
      detail: `支付凭证 ${p.voucherNo}（${formatFen(p.voucher?.amountFen ?? p.confirmationFen)}）引用的合同 ${p.contractNo} 在支付系统中没有记录`,
      cause: '合同未在支付系统登记，或确认书上的合同编号录入错误',
      person: '政府采购经办人核对合同编号：登记合同或更正确认书',
    });

  const contracts = ledger.contracts.map((c): ContractFigures => {
    const payments = ledger.payments.filter((p) => p.contractNo === c.contractNo);
    const paidFen = sum(
      payments.filter((p) => p.voucher?.status === 'paid').map((p) => p.voucher?.amountFen ?? 0),
    );
    const confirmedFen = sum(payments.map((p) => p.confirmationFen));
    const onCloud = cloud?.[c.contractNo];
    const cloudConfirmedFen = onCloud ? sum(onCloud.confirmations.map((x) => x.amountFen)) : undefined;

    if (paidFen > c.amountFen)
      differences.push({
        kind: 'OVER_CONTRACT',
        contractNo: c.contractNo,
        detail: `合同金额 ${formatFen(c.amountFen)}，已支付 ${formatFen(paidFen)}，超出 ${formatFen(paidFen - c.amountFen)}`,
        cause: '支付超出合同金额：合同变更（追加）未补签，或多付',
        person:
          '预算单位核实：追加金额须在政采云补签补充合同后重推确认书（procurement-push-retry）；多付须向供应商追回（退款）',
        fixRunbook: 'procurement-push-retry',
      });
    for (const p of payments) {
      const at = { contractNo: c.contractNo, confirmationNo: p.confirmationNo, voucherNo: p.voucherNo };
      if (p.voucher && p.voucher.amountFen !== p.confirmationFen)
        differences.push({
          kind: 'CONFIRMATION_AMOUNT_DIFFERS',
          ...at,
          detail: `确认书金额 ${formatFen(p.confirmationFen)}，支付凭证金额 ${formatFen(p.voucher.amountFen)}`,
          cause: '确认书金额录入与支付凭证不一致',
          person: '政府采购经办人按支付凭证更正确认书（支付系统与政采云两处）',
        });
      if (p.voucher && p.voucher.status !== 'paid' && p.pushStatus === 'pushed')
        differences.push({
          kind: 'CONFIRMATION_VOUCHER_NOT_PAID',
          ...at,
          detail: `确认书已推送政采云，但支付凭证状态为 ${p.voucher.status}`,
          cause: '凭证被银行退回、作废或退款，确认书未随之撤销',
          person: '政府采购经办人在政采云撤销该确认书',
        });
      if (!p.voucher)
        differences.push({
          kind: 'PAYMENT_WITHOUT_CONTRACT',
          ...at,
          detail: `确认书 ${p.confirmationNo} 引用的支付凭证 ${p.voucherNo} 在支付系统中不存在`,
          cause: '确认书上的凭证号录入错误，或凭证已被删除',
          person: '政府采购经办人核对确认书的凭证号',
        });
    }
    if (cloud) differences.push(...cloudDifferences(c.contractNo, c.amountFen, payments, onCloud ?? null));
    return {
      contractNo: c.contractNo,
      supplier: c.supplier,
      amountFen: c.amountFen,
      paidFen,
      confirmedFen,
      ...(cloudConfirmedFen !== undefined && { cloudConfirmedFen }),
      payments: payments.length,
    };
  });
  return { contracts, differences };
}

function cloudDifferences(
  contractNo: string,
  amountFen: number,
  payments: ProcurementLedger['payments'],
  onCloud: CloudContract | null,
): PaymentDifference[] {
  if (!onCloud)
    return [
      {
        kind: 'CONTRACT_NOT_ON_CLOUD',
        contractNo,
        detail: `政采云没有合同 ${contractNo}（支付系统有 ${payments.length} 笔支付）`,
        cause: '合同未在政采云签订或备案，或合同编号不一致',
        person: '政府采购经办人在政采云登记合同后重推确认书（procurement-push-retry）',
        fixRunbook: 'procurement-push-retry',
      },
    ];
  const found: PaymentDifference[] = [];
  if (onCloud.amountFen !== amountFen)
    found.push({
      kind: 'CONTRACT_AMOUNT_DIFFERS',
      contractNo,
      detail: `合同金额：支付系统 ${formatFen(amountFen)}，政采云 ${formatFen(onCloud.amountFen)}`,
      cause: '补充合同只在一处登记，或合同金额录入有误',
      person: '政府采购经办人核对合同金额并在支付系统同步',
    });
  const held = new Map(onCloud.confirmations.map((x) => [x.confirmationNo, x]));
  for (const p of payments) {
    const at = { contractNo, confirmationNo: p.confirmationNo, voucherNo: p.voucherNo };
    const h = held.get(p.confirmationNo);
    if (!h && p.pushStatus !== 'pending')
      found.push({
        kind: 'CONFIRMATION_NOT_ON_CLOUD',
        ...at,
        detail: `确认书 ${formatFen(p.confirmationFen)} 未送达政采云（推送状态 ${p.pushStatus}${p.lastError ? `：${p.lastError}` : ''}）`,
        ...notOnCloud(p),
      });
    else if (h && (h.voucherNo !== p.voucherNo || h.amountFen !== p.confirmationFen))
      found.push({
        kind: 'CLOUD_CONFIRMATION_DIFFERS',
        ...at,
        detail: `政采云所存确认书：凭证 ${h.voucherNo}，${formatFen(h.amountFen)}；支付系统：凭证 ${p.voucherNo}，${formatFen(p.confirmationFen)}`,
        cause: '同一确认书编号在两处内容不同（重复编号或事后更改）',
        person: '政府采购经办人与政采云核对并更正',
      });
  }
  return found;
}

/** Why a confirmation never reached the cloud, and who fixes it. */
function notOnCloud(
  p: ProcurementLedger['payments'][number],
): Pick<PaymentDifference, 'cause' | 'fixRunbook' | 'person'> {
  if (p.pushStatus === 'pushed')
    return {
      cause: '推送记为成功而政采云无记录：政采云数据回退或推送记录有误',
      person: '运维工程师与政采云核对后将其置为待推送',
    };
  return pushFailureKind(p.lastError) === 'unreached'
    ? { cause: '推送失败：政采云不可达或维护中', fixRunbook: 'procurement-push-retry' }
    : {
        cause: '政采云按其规则拒收（见同一合同的其他差异）',
        person: '先消除拒收原因（如补签合同），再运行 procurement-push-retry 重推',
        fixRunbook: 'procurement-push-retry',
      };
}
