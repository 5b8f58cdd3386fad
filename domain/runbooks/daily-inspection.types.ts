/**
 * Input and result of the daily inspection (日常巡检), shared by the workflow, its activities,
 * the report renderer and the CLI. Pure types and zod schemas: safe in the workflow bundle.
 */
import { z } from 'zod';
import type { RunbookId } from './catalog.ts';
import { bankCode, businessDate, uniqueList } from './input-fields.ts';
import type { SubsystemHealth } from './subsystem-health.types.ts';

export const inspectionChecks = ['channels', 'queues', 'frontEnd', 'programs', 'traffic'] as const;
export type InspectionCheck = (typeof inspectionChecks)[number];
/** What an inspection may leave out: a check of every bank, or the subsystem section. */
export const inspectionSkips = [...inspectionChecks, 'subsystems'] as const;
export type InspectionSkip = (typeof inspectionSkips)[number];

export const trafficKinds = [
  'direct_payment',
  'authorized_payment',
  'quota_notice',
  'receipt',
  'recon_file',
  'daily_report',
  'payment_list',
] as const;
export type TrafficKind = (typeof trafficKinds)[number];

/** At most this many banks in one inspection's list (the estate's banks by default). */
export const inspectionBanksMax = 500;

export const dailyInspectionInputSchema = z
  .object({
    /** Business date to inspect, up to today; defaults to today in the site's time zone. */
    date: businessDate.optional(),
    /** Bank codes to inspect; defaults to every configured bank. */
    banks: uniqueList(bankCode, inspectionBanksMax).optional(),
    /** Checks to leave out. */
    skip: uniqueList(z.enum(inspectionSkips), inspectionSkips.length, 0).default([]),
  })
  .strict();
export type DailyInspectionInput = z.input<typeof dailyInspectionInputSchema>;

export type Light = 'green' | 'yellow' | 'red' | 'skipped';

export interface Finding {
  bank: string;
  check: InspectionCheck;
  light: 'yellow' | 'red';
  /** Stable machine code, e.g. CHANNEL_RETRYING, SEQUENCE_MISMATCH, PROGRAM_DEAD. */
  code: string;
  /** Chinese text for report readers. */
  summary: string;
  /** The runbook that fixes it. */
  fixRunbook: RunbookId;
  evidence: Record<string, string | number | boolean>;
}

/** A finding about the estate as a whole rather than one bank, such as the calendar's coverage. */
export interface SiteFinding {
  light: 'yellow' | 'red';
  /** Stable machine code, e.g. CALENDAR_YEAR_MISSING. */
  code: string;
  /** Chinese text for report readers. */
  summary: string;
  /** What to do, in Chinese: no runbook fixes it. */
  action: string;
  evidence: Record<string, string | number | boolean>;
}

export interface ChannelEnd {
  qmgr: string;
  channel: string;
  chltype: string;
  status: string;
  substate?: string;
  indoubt?: boolean;
  lastSeq?: number;
  currentSeq?: number;
}

export interface ChannelsCheck {
  sender: ChannelEnd;
  receiver: ChannelEnd;
  /** The bank side's ends, when the site may administer the bank's queue manager. */
  bankSender?: ChannelEnd;
  bankReceiver?: ChannelEnd;
}

export interface QueuesCheck {
  xmitq: { qmgr: string; queue: string; depth: number };
  deadLetter: { qmgr: string; queue: string; depth: number } | null;
}

export interface FrontEndCheck {
  method: 'ping' | 'tcp';
  reachable: boolean;
  detail: string;
}

export interface ProgramsCheck {
  programs: { name: string; running: boolean; pid?: number; detail: string }[];
}

export interface TrafficLine {
  kind: TrafficKind;
  expected: number;
  actual: number;
}

export interface TrafficCheck {
  date: string;
  /** The business day whose reports and files are due during `date`. */
  reportDate: string;
  lines: TrafficLine[];
  /** Vouchers and notices submitted but not sent after the backlog threshold. */
  unsentBacklog: number;
  /** The report day's statements as bank reconciliation last compared them (none: not reconciled yet). */
  reconciliation?: { kind: string; result: 'agreed' | 'differs' | 'unreadable'; diffNum: number }[];
}

export interface BankInspection {
  bank: string;
  bankName: string;
  light: Light;
  checks: Partial<Record<InspectionCheck, { light: Light; error?: string }>>;
  channels?: ChannelsCheck;
  queues?: QueuesCheck;
  frontEnd?: FrontEndCheck;
  programs?: ProgramsCheck;
  traffic?: TrafficCheck;
  findings: Finding[];
}

export interface InspectionReportFiles {
  markdown: string;
  html: string;
}

/** A fix runbook the inspection started by the site's policy (inspection.followUp). */
export interface StartedFollowUp {
  runbook: RunbookId;
  bank: string;
  workflowId: string;
  status: 'started' | 'already-running';
}

export interface DailyInspectionResult {
  runbook: 'daily-inspection';
  workflowId: string;
  site: string;
  date: string;
  startedAt: string;
  finishedAt: string;
  light: Light;
  banks: BankInspection[];
  findings: Finding[];
  /** Findings about the estate as a whole (the working-day calendar). */
  siteFindings: SiteFinding[];
  skipped: InspectionSkip[];
  /** The subsystem section (subsystem-health's looks): absent when skipped, or in runs begun before it. */
  subsystems?: SubsystemHealth[];
  followUps: StartedFollowUp[];
  report: InspectionReportFiles;
}

export interface InspectionProgress {
  total: number;
  done: number;
  running: string[];
  findings: number;
}
