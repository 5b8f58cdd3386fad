/**
 * Input, diagnosis and result of program restart (程序重启): a bank's send/receive programs or
 * a subsystem's declared processes, started again in their order after the run has read why they
 * stopped. Pure types and zod schemas: safe in the workflow bundle.
 */
import { z } from 'zod';
import type { ApprovalPlan, GateOutcome } from '../approvals/gate-types.ts';
import { subsystemId } from '../subsystem-config.ts';
import type { InspectionReportFiles } from './daily-inspection.types.ts';
import { bankCode, reason, userId } from './input-fields.ts';

export const programRestartInputSchema = z
  .object({
    /** The agent bank whose send/receive programs to restart… */
    bank: bankCode.optional(),
    /** …or the subsystem (site file `subsystems[].id`) whose programs to restart. */
    subsystem: subsystemId.optional(),
    /** Only this program of theirs (its name in the site file); default every one that is not running. */
    program: z.string().min(1).max(64).optional(),
    /** Who asks for the restart (user id); this person cannot approve it. */
    requestedBy: userId,
    /** Why, in a few words (e.g. the inspection finding); shown to approvers. */
    reason: reason.optional(),
    /** Stop after the plan: read why the programs stopped and show what would be done, change nothing. */
    dryRun: z.boolean().default(false),
    /** How many of each program's last log lines the plan and the report show. */
    logLines: z.number().int().min(1).max(200).default(20),
    /** How long to wait for the restarted programs to move messages (a bank's test message, a health URL). */
    verifySeconds: z.number().int().min(5).max(3600).default(120),
  })
  .strict()
  .superRefine((input, ctx) => {
    if ((input.bank === undefined) === (input.subsystem === undefined))
      ctx.addIssue({ code: 'custom', path: ['bank'], message: 'give exactly one of bank and subsystem' });
  });
export type ProgramRestartInput = z.input<typeof programRestartInputSchema>;

/** One declared program of the target, as the plan names it. */
export interface TargetProgram {
  name: string;
  /** The declared host it runs on (`local`: the comm worker's own machine). */
  host: string;
  /** The programs of the same list that must run before it. */
  after: string[];
  /** Whether the site declares how to start it (a start command or a systemd unit). */
  startable: boolean;
}

/** What a restart is about: a bank's send/receive programs or a subsystem's, in start order. */
export interface ProgramTarget {
  kind: 'bank' | 'subsystem';
  /** The bank code or the subsystem id. */
  id: string;
  name: string;
  programs: TargetProgram[];
  /** A subsystem's health URL, read after the restart. */
  healthUrl?: string;
}

export interface ProgramTargetDescription {
  /** Why the input names nothing the site declares (empty when it does). */
  inputProblems: string[];
  target?: ProgramTarget;
}

/** A program as the run found it: running or not, why (its pid file, its unit), its last log lines. */
export interface ProgramLook {
  name: string;
  host: string;
  running: boolean;
  pid?: number;
  detail: string;
  logTail: string[];
}

export type RestartDecision =
  | { kind: 'running'; why: string }
  | { kind: 'not-startable'; programs: string[]; why: string }
  | { kind: 'restart'; stop: string[]; start: string[]; why: string };

/** How the restarted programs were seen to move again. */
export interface RestartVerification {
  ok: boolean;
  programs: ProgramLook[];
  /** A bank's: the test message (a status query through the programs) and whether the bank's answer came back. */
  testMessage?: { queryId: string; sent: boolean; answered: boolean };
  /** A subsystem's health URL. */
  health?: { url: string; ok: boolean; detail: string };
  detail: string;
}

export type ProgramRestartOutcome =
  'restarted' | 'already-running' | 'escalated' | 'planned' | 'rejected' | 'expired' | 'not-verified';

export interface ProgramRestartResult {
  runbook: 'program-restart';
  workflowId: string;
  target: ProgramTarget;
  outcome: ProgramRestartOutcome;
  why: string;
  /** The programs as first found, with their last log lines. */
  diagnosis: ProgramLook[];
  plan?: ApprovalPlan;
  planDigest?: string;
  approval?: GateOutcome;
  /** Each program as the restart left it. */
  restarted: ProgramLook[];
  verification?: RestartVerification;
  report: InspectionReportFiles;
}
