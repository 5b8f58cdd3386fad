/**
 * The standing result of each bank's statement (对账单) per kind and business day, as the
 * bank-reconciliation runbook last compared it: what the daily inspection's traffic check and the
 * year-end pre-check read. A re-reconciliation replaces the row; the one it replaced stays in the
 * audit trail (the replacing run's outcome record).
 */
export interface ReconciliationTable {
  bank_code: string;
  /** payment-detail, payment or quota. */
  kind: string;
  business_date: string;
  /** agreed (XCheckResult 0), differs (1), or unreadable: the statement itself was broken. */
  result: 'agreed' | 'differs' | 'unreadable';
  /** XDiffNum: the differing lines (0 when agreed or unreadable). */
  diff_num: number;
  statement_no: string | null;
  bank_count: number;
  bank_amount_fen: number;
  finance_count: number;
  finance_amount_fen: number;
  /** Why the statement could not be read (its problem and where), when unreadable. */
  problem: string | null;
  /** The differences as JSON lines (the CSV beside it, `.csv` for `.jsonl`), for the next run to compare with. */
  difference_file: string | null;
  /** The run that compared, and when. */
  workflow_id: string;
  reconciled_at: string;
}
