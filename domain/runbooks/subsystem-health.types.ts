/**
 * Input, looks and result of subsystem health (子系统健康检查): every subsystem the site declares —
 * its programs, ports, health URL, version and database, and the work it carries (the exchange's
 * queues and certificate, failed procurement pushes, payroll batches, official-card repayments) —
 * with a traffic light per subsystem and the runbook that fixes each finding. Also the daily
 * inspection's subsystem section. Pure types and zod schemas: safe in the workflow bundle.
 */
import { z } from 'zod';
import type { ExchangeClientStatus } from '../exchange-protocol.ts';
import { subsystemId, type SubsystemKind } from '../subsystem-config.ts';
import type { RunbookId } from './catalog.ts';
import type { InspectionReportFiles, Light } from './daily-inspection.types.ts';
import { uniqueList } from './input-fields.ts';

/** How long work may wait before it is a finding (the input's, or the inspection's defaults). */
export interface WorkThresholds {
  /** A payroll batch with lines still without vouchers this long after it began is stalled. */
  stallMinutes: number;
  /** An official-card repayment's voucher sent and unanswered this long is stuck. */
  stuckMinutes: number;
  /** An exchange `up` item waiting longer than this is a backlog. */
  uplinkBacklogMinutes: number;
}

export const defaultWorkThresholds: WorkThresholds = {
  stallMinutes: 30,
  stuckMinutes: 60,
  uplinkBacklogMinutes: 30,
};

export const subsystemHealthInputSchema = z
  .object({
    /** The subsystems to look at (site file `subsystems[].id`); default every one. */
    subsystems: uniqueList(subsystemId, 100).optional(),
    /** A payroll batch with lines still without vouchers this long after it began is stalled. */
    stallMinutes: z.number().int().min(0).max(1440).default(defaultWorkThresholds.stallMinutes),
    /** An official-card repayment's voucher sent and unanswered this long is stuck. */
    stuckMinutes: z.number().int().min(0).max(10080).default(defaultWorkThresholds.stuckMinutes),
    /** An exchange `up` item waiting longer than this is a backlog. */
    uplinkBacklogMinutes: z
      .number()
      .int()
      .min(0)
      .max(1440)
      .default(defaultWorkThresholds.uplinkBacklogMinutes),
  })
  .strict();
export type SubsystemHealthInput = z.input<typeof subsystemHealthInputSchema>;

export const subsystemChecks = ['programs', 'ports', 'health', 'version', 'database', 'work'] as const;
export type SubsystemCheck = (typeof subsystemChecks)[number];

/** What a subsystem should be, from the site file. */
export interface SubsystemExpected {
  id: string;
  kind: SubsystemKind;
  name: string;
  version?: string;
  schemaVersion?: string;
  /** An installed application the version upgrade can change. */
  upgradable: boolean;
  /** budget-exchange: warn when the certificate has fewer days left. */
  certificateWarnDays?: number;
}

/** What the comm zone sees of a subsystem: its programs, its ports, its health URL's answer. */
export interface SubsystemLook {
  id: string;
  programs: { name: string; running: boolean; detail: string }[];
  ports: { host: string; port: number; reachable: boolean; error?: string }[];
  health?: { url: string; ok: boolean; status?: number; body?: unknown; error?: string };
  /** budget-exchange: whether the client's cycle count moved between two looks a few cycles apart. */
  moving?: boolean;
}

/** The work a subsystem carries, as the treasury database holds it (db zone). */
export interface SubsystemWork {
  /** procurement-push: confirmations left failed, refused by the cloud or never reached. */
  procurement?: { failed: number; refused: number; unreached: number; oldestFailedAt: string | null };
  /** payroll: batches holding lines without vouchers past the stall time, and lines failed. */
  payroll?: {
    stalled: { batchNo: string; pendingLines: number; since: string }[];
    failed: { batchNo: string; lines: number }[];
  };
  /** official-card: repayments whose vouchers are sent and unanswered past the stuck time, per bank. */
  officialCard?: { stuck: { bank: string; count: number; oldestSentAt: string }[] };
}

/** When the judging is done, and how long is too long for the exchange's payment data to wait. */
export interface HealthJudging {
  now: string;
  /** An `up` item waiting longer than this is a backlog. */
  uplinkBacklogMinutes: number;
}

export interface SubsystemFinding {
  subsystem: string;
  check: SubsystemCheck;
  light: 'yellow' | 'red';
  /** Stable machine code, e.g. SUBSYSTEM_PROGRAM_DEAD, EXCHANGE_CLIENT_HUNG. */
  code: string;
  /** Chinese text for report readers. */
  summary: string;
  /** The runbook that fixes it… */
  fixRunbook?: RunbookId;
  /** …or, when none does, what a person must do (Chinese). */
  action?: string;
  evidence: Record<string, string | number | boolean>;
}

export interface SubsystemHealth {
  subsystem: string;
  name: string;
  kind: SubsystemKind;
  light: Light;
  checks: Partial<Record<SubsystemCheck, Light>>;
  findings: SubsystemFinding[];
  /** What the health URL said of the version and the database, when it said. */
  version?: string;
  schemaVersion?: string;
  /** budget-exchange: the client's own status. */
  exchange?: Pick<ExchangeClientStatus, 'lastCycleAt' | 'lastError' | 'certificate' | 'queues'>;
}

export interface SubsystemHealthResult {
  runbook: 'subsystem-health';
  workflowId: string;
  light: Light;
  subsystems: SubsystemHealth[];
  findings: SubsystemFinding[];
  report: InspectionReportFiles;
}
