/**
 * The procurement contract and payment check's report (政采合同与支付核对报告): each contract's
 * figures in the treasury and on the cloud side by side, then each difference with its likely
 * cause and who fixes it (domain/reports/runbook-report.ts). Supplier names masked. Pure.
 */
import { formatFen } from '../display.ts';
import { runbookReportMarkdown, type ReportRun } from '../reports/runbook-report.ts';
import { runbookTitleZh } from './catalog.ts';
import type {
  DifferenceKind,
  ProcurementPaymentCheckOutcome,
  ProcurementPaymentCheckResult,
} from './procurement-payment-check.types.ts';

export const procurementPaymentCheckOutcomeLabel: Record<ProcurementPaymentCheckOutcome, string> = {
  consistent: '合同、支付与政采云一致',
  differences: '发现差异',
  'cloud-unavailable': '政采云未应答，仅核对支付系统内部',
};

const kindLabel: Record<DifferenceKind, string> = {
  OVER_CONTRACT: '超合同支付',
  CONFIRMATION_AMOUNT_DIFFERS: '确认书与凭证金额不符',
  CONFIRMATION_VOUCHER_NOT_PAID: '确认书对应凭证未支付',
  PAYMENT_WITHOUT_CONTRACT: '无合同支付',
  CONTRACT_NOT_ON_CLOUD: '政采云无此合同',
  CONFIRMATION_NOT_ON_CLOUD: '确认书未送达政采云',
  CLOUD_CONFIRMATION_DIFFERS: '政采云确认书内容不同',
  CONTRACT_AMOUNT_DIFFERS: '合同金额两处不同',
};

/** What the report shows. */
export type ProcurementPaymentCheckFacts = Omit<
  ProcurementPaymentCheckResult,
  'runbook' | 'workflowId' | 'report'
> & {
  name: string;
};

export function procurementPaymentCheckReport(run: ReportRun, r: ProcurementPaymentCheckFacts): string {
  return runbookReportMarkdown(run, {
    title: `政采合同与支付核对报告 — ${r.name}`,
    outcome: procurementPaymentCheckOutcomeLabel[r.outcome],
    outcomeCode: r.outcome,
    sections: [
      {
        heading: '核对范围',
        lines: [
          `${r.contracts.length} 个合同，${r.contracts.reduce((n, c) => n + c.payments, 0)} 笔支付${r.morePayments > 0 ? `（另有 ${r.morePayments} 笔超出本次上限，未核对）` : ''}`,
          ...(r.outcome === 'cloud-unavailable' ? [`政采云未应答：${r.cloudDetail}`] : []),
        ],
      },
      {
        heading: '合同与支付',
        table: {
          head: ['合同', '供应商', '合同金额', '已支付', '确认书合计', '政采云已确认', '支付笔数'],
          rows: r.contracts.map((c) => [
            c.contractNo,
            c.supplier,
            formatFen(c.amountFen),
            formatFen(c.paidFen),
            formatFen(c.confirmedFen),
            c.cloudConfirmedFen === undefined ? '—' : formatFen(c.cloudConfirmedFen),
            String(c.payments),
          ]),
          align: ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
        },
        empty: '无合同',
      },
      {
        heading: '差异',
        table: {
          head: ['类别', '合同', '确认书', '支付凭证', '说明', '可能原因', '处理'],
          rows: r.differences.map((d) => [
            kindLabel[d.kind],
            d.contractNo,
            d.confirmationNo ?? '',
            d.voucherNo ?? '',
            d.detail,
            d.cause,
            [d.person, d.fixRunbook && `运行 ${d.fixRunbook}（${runbookTitleZh(d.fixRunbook)}）`]
              .filter(Boolean)
              .join('；'),
          ]),
        },
        empty: '无差异',
      },
    ],
  });
}
