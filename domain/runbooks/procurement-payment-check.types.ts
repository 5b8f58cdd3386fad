/**
 * Input, ledger and result of the procurement contract and payment check (政采合同与支付核对):
 * the procurement contracts the treasury records, the payments made against them (each a
 * confirmation and its direct-payment voucher) and what the procurement cloud holds of both,
 * compared — a payment beyond its contract, a confirmation unlike its voucher, a payment without a
 * contract, a confirmation the cloud lacks or holds otherwise — each difference with its likely
 * cause and the runbook or person that fixes it. Read only. Pure types and zod schemas: safe in the
 * workflow bundle.
 */
import { z } from 'zod';
import { subsystemId } from '../subsystem-config.ts';
import type { RunbookId } from './catalog.ts';
import type { InspectionReportFiles } from './daily-inspection.types.ts';
import { reason, uniqueList, userId } from './input-fields.ts';

const contractNo = z.string().regex(/^[A-Za-z0-9-]{1,40}$/, 'a contract number such as ZCY20260001');

export const procurementPaymentCheckInputSchema = z
  .object({
    /** The procurement-push subsystem (site file `subsystems[].id`); default the site's one. */
    subsystem: subsystemId.optional(),
    /** Who asks for the check (user id). */
    requestedBy: userId,
    /** Why, in a few words; shown in the report. */
    reason: reason.optional(),
    /** Only these contracts (default every contract with a payment against it, or none). */
    contractNos: uniqueList(contractNo, 500).optional(),
  })
  .strict();
export type ProcurementPaymentCheckInput = z.input<typeof procurementPaymentCheckInputSchema>;

/** A contract as the treasury records it. */
export interface LedgerContract {
  contractNo: string;
  /** Masked, e.g. 县*********** (the full name stays in the treasury). */
  supplier: string;
  budgetUnitCode: string;
  amountFen: number;
  fiscalYear: number;
}

/** A payment against a contract: its confirmation and the voucher it paid with. */
export interface LedgerPayment {
  confirmationNo: string;
  contractNo: string;
  confirmationFen: number;
  pushStatus: 'pending' | 'pushed' | 'failed';
  lastError: string | null;
  voucherNo: string;
  /** The voucher's amount and status (absent: the treasury has no such voucher). */
  voucher?: { amountFen: number; status: string };
}

/** What the treasury holds: contracts and payments. */
export interface ProcurementLedger {
  contracts: LedgerContract[];
  payments: LedgerPayment[];
  /** Payments beyond the look's bound, left for another run. */
  morePayments: number;
}

/** A contract as the cloud holds it, with the confirmations it holds against it. */
export interface CloudContract {
  amountFen: number;
  confirmations: { confirmationNo: string; voucherNo: string; amountFen: number }[];
}

export type DifferenceKind =
  | 'OVER_CONTRACT'
  | 'CONFIRMATION_AMOUNT_DIFFERS'
  | 'CONFIRMATION_VOUCHER_NOT_PAID'
  | 'PAYMENT_WITHOUT_CONTRACT'
  | 'CONTRACT_NOT_ON_CLOUD'
  | 'CONFIRMATION_NOT_ON_CLOUD'
  | 'CLOUD_CONFIRMATION_DIFFERS'
  | 'CONTRACT_AMOUNT_DIFFERS';

export interface PaymentDifference {
  kind: DifferenceKind;
  contractNo: string;
  confirmationNo?: string;
  voucherNo?: string;
  /** What differs, with the figures (Chinese). */
  detail: string;
  /** Its likely cause (Chinese). */
  cause: string;
  /** The runbook that fixes it… */
  fixRunbook?: RunbookId;
  /** …and what a person must do (Chinese). */
  person?: string;
}

/** One contract's figures side by side. */
export interface ContractFigures {
  contractNo: string;
  supplier: string;
  amountFen: number;
  /** Paid vouchers against it. */
  paidFen: number;
  /** Confirmations against it, in the treasury. */
  confirmedFen: number;
  /** What the cloud holds as confirmed (absent: the cloud has no such contract). */
  cloudConfirmedFen?: number;
  payments: number;
}

export type ProcurementPaymentCheckOutcome = 'consistent' | 'differences' | 'cloud-unavailable';

export interface ProcurementPaymentCheckResult {
  runbook: 'procurement-payment-check';
  workflowId: string;
  subsystem: string;
  outcome: ProcurementPaymentCheckOutcome;
  /** The cloud's health when it did not answer (its side was not compared). */
  cloudDetail: string;
  contracts: ContractFigures[];
  differences: PaymentDifference[];
  morePayments: number;
  report: InspectionReportFiles;
}
