/**
 * The journal of data fixes (see migrations-data-fix.ts): one row per fix, written in the
 * transaction that changes its rows, so a fix retried after a crash is found applied and never
 * applied twice, and its undo knows what to put back and what the rows must look like first.
 */

export interface DataFixJournalTable {
  /** `DF<day>-<8 hex>`, the id people undo a fix by. */
  fix_id: string;
  /** The fix's name in the catalog (domain/data-fixes/fixes.ts). */
  fix: string;
  table_name: string;
  /** The run that applied it. */
  workflow_id: string;
  /** JSON: each row's key, digests before and after, and the changed columns' values either side (no personal data). */
  row_changes: string;
  /** The full rows before the change, sealed with the site's payload key (connectors/codec/sealed-json.ts). */
  before_image: string;
  /** SHA-256 of the full rows before the change, as the audit trail records it. */
  image_digest: string;
  applied_at: string;
  undone_at: string | null;
  /** The run that undid it. */
  undone_by: string | null;
}

export interface DataFixTables {
  data_fix_journal: DataFixJournalTable;
}
