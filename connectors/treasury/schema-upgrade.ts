/**
 * Tables of application upgrades (see migrations-upgrade.ts): the schema version each subsystem's
 * database is at (an upgrade's migrations move it), and the journal of the statements an upgrade
 * ran — one row per statement, written with it, so a statement retried or run again after a
 * crash is found done and never runs twice.
 */

/** The schema version of a subsystem's tables in this database (the payment system's, here). */
export interface SchemaVersionTable {
  subsystem: string;
  version: string;
  updated_at: string;
}

/** One statement an upgrade ran (forward or back), by the run's key and the statement's place. */
export interface UpgradeJournalTable {
  run_key: string;
  /** `<migration id>/forward/<n>` or `<migration id>/back/<n>`, or `schema-version`. */
  statement_key: string;
  applied_at: string;
}

export interface UpgradeTables {
  schema_versions: SchemaVersionTable;
  upgrade_journal: UpgradeJournalTable;
}
