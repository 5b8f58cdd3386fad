/**
 * Input, findings and result of the provincial version upgrade (省厅版本升级). Pure types and zod
 * schemas: safe in the workflow bundle, shared with the CLI and the tests.
 */
import { z } from 'zod';
import type { ApprovalPlan, GateOutcome } from '../approvals/gate-types.ts';
import { packageIdPattern } from '../release-manifest.ts';
import type { SubsystemKind } from '../subsystem-config.ts';
import type { InspectionReportFiles } from './daily-inspection.types.ts';
import { reason, userId } from './input-fields.ts';

export const versionUpgradeInputSchema = z
  .object({
    /** The package in the release repository: `<product>-<version>`, e.g. payment-3.5.0. */
    package: z.string().regex(packageIdPattern, 'a package id such as payment-3.5.0'),
    /** The host the application is installed on, as the site names it (default: the subsystem's). */
    host: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{0,62}$/, 'a host name as the site file declares it')
      .optional(),
    /** Who asks for the upgrade (user id); this person cannot approve it. */
    requestedBy: userId,
    /** Why, in a few words (the province's notice); shown to approvers. */
    reason: reason.optional(),
    /** Stop after the plan: verify, pre-check and show what would be done, change nothing. */
    dryRun: z.boolean().default(false),
    /** How long each bank may take to answer the smoke test's test message. */
    smokeWaitSeconds: z.number().int().min(5).max(600).default(60),
  })
  .strict();
export type VersionUpgradeInput = z.input<typeof versionUpgradeInputSchema>;
export type VersionUpgradeParsed = z.output<typeof versionUpgradeInputSchema>;

/** A program of the upgraded subsystem, in the order it starts (stopped in the reverse). */
export interface UpgradeProgram {
  name: string;
  host: string;
}

/** Where the upgrade happens, as the site describes it. */
export interface UpgradeTarget {
  subsystem: string;
  name: string;
  kind: SubsystemKind;
  host: string;
  dir: string;
  backupDir: string;
  /** Start order: the subsystem's own programs, then (the payment system) the banks' send/receive programs. */
  programs: UpgradeProgram[];
  healthUrl?: string;
  /** The banks whose links the smoke test tries (the payment system's). */
  banks: string[];
}

/** The package as verified: what the plan shows of it. */
export interface UpgradePackage {
  id: string;
  product: SubsystemKind;
  version: string;
  upgradesFrom: string[];
  notes: string;
  /** SHA-256 of manifest.json: the signed manifest the approval binds to. */
  manifestDigest: string;
  components: { name: string; files: { path: string; size: number; sha256: string }[] }[];
  removes: string[];
  bytes: number;
  database?: {
    dialect: 'sqlite' | 'oracle';
    schemaFrom: string;
    schemaTo: string;
    migrations: { id: string; tables: string[]; forward: string[]; back: string[] }[];
  };
  smoke: { health: boolean; bankLinks: boolean; databaseRead?: string };
}

/** What describing an upgrade finds: the package, the target, what is installed, and what is wrong. */
export interface UpgradeDescription {
  /** Problems with the input itself (unknown package, host not in the site): refused as bad input. */
  inputProblems: string[];
  package?: UpgradePackage;
  target?: UpgradeTarget;
  /** The package's own problems: its signature, whether it applies to what is installed. */
  packageProblems: string[];
  installedVersion?: string;
}

export interface TableState {
  table: string;
  exists: boolean;
  rows: number;
  digest: string;
}

export interface PreCheck {
  name: 'vouchers' | 'channels' | 'backup-space' | 'install-space' | 'running';
  ok: boolean;
  detail: string;
}

/** Before the change: the checks, and what is installed as the rollback must give it back. */
export interface UpgradeBefore {
  checks: PreCheck[];
  version: string;
  schemaVersion?: string;
  /** The tables the migrations change, and the schema versions, as they were. */
  tables: TableState[];
}

export interface UpgradeStepDone {
  step: string;
  command: string;
  target: string;
  detail: string;
  at: string;
}

export interface SmokeCheck {
  check: 'health' | 'database' | 'bank-link';
  target: string;
  ok: boolean;
  detail: string;
}

/** After a rollback: whether the old version answers and everything is as it was. */
export interface RollbackVerification {
  ok: boolean;
  version?: string;
  schemaVersion?: string;
  filesEqual: boolean;
  tablesEqual: string[];
  tablesDiffer: string[];
}

export type VersionUpgradeOutcome =
  | 'upgraded'
  | 'rolled-back'
  | 'rollback-incomplete'
  | 'refused'
  | 'not-ready'
  | 'planned'
  | 'rejected'
  | 'expired';

export interface VersionUpgradeResult {
  runbook: 'version-upgrade';
  workflowId: string;
  outcome: VersionUpgradeOutcome;
  package: string;
  subsystem: string;
  host: string;
  fromVersion?: string;
  toVersion?: string;
  problems: string[];
  preChecks: PreCheck[];
  plan?: ApprovalPlan;
  planDigest?: string;
  approval?: GateOutcome;
  steps: UpgradeStepDone[];
  smoke: SmokeCheck[];
  /** Why the upgrade was rolled back. */
  failure?: string;
  rollback: UpgradeStepDone[];
  verification?: RollbackVerification;
  report?: InspectionReportFiles;
}
