/**
 * Input, findings and result of the system migration (系统迁移). Pure types and zod schemas: safe
 * in the workflow bundle, shared with the CLI and the tests.
 */
import { z } from 'zod';
import type { ApprovalPlan, GateOutcome } from '../approvals/gate-types.ts';
import type { SubsystemKind } from '../subsystem-config.ts';
import type { InspectionReportFiles } from './daily-inspection.types.ts';
import { reason, userId } from './input-fields.ts';
import type { TableState } from './version-upgrade.types.ts';

export const systemMigrationInputSchema = z
  .object({
    /** The subsystem to move, by its id in the site file (e.g. accounting). */
    subsystem: z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'a subsystem id as the site file declares it'),
    /** The host it moves to: one the site declares, and one of the subsystem's migration targets. */
    target: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,62}$/, 'a host name as the site file declares it'),
    /** Who asks for the migration (user id); this person cannot approve it. */
    requestedBy: userId,
    /** Why, in a few words; shown to approvers. */
    reason: reason.optional(),
    /** Stop after the plan: inventory, pre-check and show what would be done, change nothing. */
    dryRun: z.boolean().default(false),
    /** How long the new side may take to answer once started. */
    trafficWaitSeconds: z.number().int().min(5).max(600).default(60),
  })
  .strict();
export type SystemMigrationInput = z.input<typeof systemMigrationInputSchema>;
export type SystemMigrationParsed = z.output<typeof systemMigrationInputSchema>;

/** A program of one side, in start order (stopped in the reverse). */
export interface SideProgram {
  name: string;
  host: string;
}

/** One side of a migration, as the site describes it. */
export interface MigrationSide {
  host: string;
  dir: string;
  programs: SideProgram[];
  ports: { host: string; port: number }[];
  healthUrl?: string;
  /** Where its database is (no credentials). */
  database: string;
  adapter: 'sqlite' | 'oracle';
}

/** What a migration moves, from where to where. */
export interface MigrationRoute {
  subsystem: string;
  name: string;
  kind: SubsystemKind;
  source: MigrationSide;
  target: MigrationSide;
  /** The version the site says should run (compared with what the source answers). */
  version?: string;
}

/** What describing a migration finds: the route, or what is wrong with the input. */
export interface MigrationDescription {
  inputProblems: string[];
  route?: MigrationRoute;
}

/** What runs where, before anything changes: what the copy must equal and a rollback give back. */
export interface MigrationInventory {
  files: number;
  bytes: number;
  /** SHA-256 over every file's path and digest (app-files.ts folderDigest), once read. */
  filesDigest?: string;
  /** The configuration files (conf/…) among them. */
  configuration: string[];
  /** The version and schema version the source's health URL answers with. */
  version?: string;
  schemaVersion?: string;
  programs: { name: string; host: string; running: boolean; detail: string }[];
  databaseBytes?: number;
  tables: TableState[];
}

export interface MigrationPreCheck {
  name: 'source-running' | 'target-disk' | 'target-ports' | 'version' | 'target-database';
  ok: boolean;
  detail: string;
}

export interface MigrationStepDone {
  step: string;
  command: string;
  target: string;
  detail: string;
  at: string;
}

/** Both sides compared after the copy. */
export interface CopyVerification {
  ok: boolean;
  filesEqual: boolean;
  sourceDigest: string;
  targetDigest: string;
  /** Files that differ or are missing on either side (at most 50 named). */
  filesDiffer: string[];
  tables: {
    table: string;
    sourceRows: number;
    targetRows: number;
    sourceDigest: string;
    targetDigest: string;
    equal: boolean;
  }[];
}

export interface TrafficCheck {
  check: 'health' | 'port' | 'old-side';
  target: string;
  ok: boolean;
  detail: string;
}

/** After a rollback: the old side in service, its files and tables as before. */
export interface MigrationRollbackVerification {
  ok: boolean;
  serving: boolean;
  servingDetail: string;
  filesEqual: boolean;
  tablesEqual: string[];
  tablesDiffer: string[];
}

export type SystemMigrationOutcome =
  | 'decommissioned'
  | 'migrated'
  | 'rolled-back'
  | 'rollback-incomplete'
  | 'not-ready'
  | 'planned'
  | 'rejected'
  | 'expired';

export interface SystemMigrationResult {
  runbook: 'system-migration';
  workflowId: string;
  outcome: SystemMigrationOutcome;
  subsystem: string;
  source: string;
  target: string;
  inventory?: MigrationInventory;
  preChecks: MigrationPreCheck[];
  plan?: ApprovalPlan;
  planDigest?: string;
  approvals: GateOutcome[];
  steps: MigrationStepDone[];
  copy?: CopyVerification;
  traffic: TrafficCheck[];
  /** Why it was rolled back. */
  failure?: string;
  rollback: MigrationStepDone[];
  verification?: MigrationRollbackVerification;
  /** The decommission's steps, once approved. */
  decommission: MigrationStepDone[];
  report?: InspectionReportFiles;
}
