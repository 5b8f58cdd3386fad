/**
 * Input, survey and result of adding an agent bank (新增代理银行). Pure types and zod schemas:
 * safe in the workflow bundle, shared with the activities, the CLI registry and the tests. The
 * bank's names default as the site file's bank entries do (temporal.config.ts): QM.<CODE>,
 * CZ.TO.<CODE>, <CODE>.TO.CZ and the transmission queue QM.<CODE>.
 */
import { z } from 'zod';
import type { ApprovalPlan, GateOutcome } from '../approvals/gate-types.ts';
import type { BankAnswer } from '../bank-questions.ts';
import type { BaseDataKind } from '../base-data.ts';
import { timeOfDay } from '../calendar/dates.ts';
import { voucherRulesSchema, type VoucherRuleSetName } from '../vouchers/rule-sets.ts';
import type { FrontEndCheck, ProgramsCheck } from './daily-inspection.types.ts';
import { reason, userId } from './input-fields.ts';

const bankCode = z
  .string()
  .regex(/^[A-Z][A-Z0-9]{1,11}$/, 'a bank code: upper-case letters and digits, e.g. HXB');
const mqName = z
  .string()
  .regex(/^[A-Z0-9._%/]{1,48}$/, 'an IBM MQ object name: upper-case letters, digits, . _ % / (at most 48)');
const channelName = z
  .string()
  .regex(/^[A-Z0-9._%/]{1,20}$/, 'an IBM MQ channel name: upper-case letters, digits, . _ % / (at most 20)');
// Letters, digits, dots and hyphens only: the host goes into CONNAME('host(port)') verbatim.
const host = z
  .string()
  .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/, 'a host name or IPv4 address, e.g. 10.2.3.4');
const programName = z.string().regex(/^[^\p{Cc}]{1,60}$/u, 'a program name (at most 60 characters)');

const addAgentBankObject = z
  .object({
    /** The new bank's code, as finance and the bank agree it (e.g. HXB). */
    code: bankCode,
    /** Its name in Chinese (e.g. 华夏银行). */
    name: z
      .string()
      .trim()
      .regex(/^[^\p{Cc}'"\\]{2,60}$/u, 'the bank name, 2 to 60 characters, no quotes'),
    /** The bank's front-end processor: where finance's sender channel connects (its MQ listener). */
    frontEnd: z.object({ host, port: z.number().int().min(1).max(65535) }).strict(),
    /** The bank's business window for vouchers. */
    window: z
      .object({ open: timeOfDay, close: timeOfDay })
      .strict()
      .refine((w) => w.open < w.close, { message: 'the window must open before it closes', path: ['close'] })
      .default({ open: '08:30', close: '17:00' }),
    /** The bank's queue manager (default QM.<CODE>). */
    qmgr: mqName.optional(),
    /** Finance's sender channel to the bank (default CZ.TO.<CODE>). */
    senderChannel: channelName.optional(),
    /** The bank's sender channel to finance (default <CODE>.TO.CZ). */
    receiverChannel: channelName.optional(),
    /** The transmission queue on finance's queue manager (default QM.<CODE>). */
    xmitq: mqName.optional(),
    /** The bank's queue that finance's messages are addressed to (the remote queue's RNAME). */
    bankInQueue: mqName.default('PAY.IN'),
    /** The send/receive program(s) for this bank on the comm server, as the site file lists programs. */
    programs: z
      .array(
        z.union([
          z
            .object({
              name: programName,
              pidFile: z.string().regex(/^\/[^\p{Cc}]{1,250}$/u, 'an absolute path'),
            })
            .strict(),
          z
            .object({
              name: programName,
              systemdUnit: z.string().regex(/^[A-Za-z0-9@._-]{1,120}$/, 'a systemd unit name'),
            })
            .strict(),
        ]),
      )
      .max(4)
      .default([]),
    /** Whether the engine may administer the bank's queue manager (read its channel ends). */
    bankQmgrAccess: z.boolean().default(true),
    /** The bank's voucher field rule set (凭证要素规范), written into its file; default by its code. */
    voucherRules: voucherRulesSchema.optional(),
    /** Who asks for the bank (user id); this person cannot approve it. */
    requestedBy: userId,
    /** Why, in a few words (e.g. the contract reference); shown to approvers. */
    reason: reason.optional(),
    /** Stop after the plan: survey and show what would be done, change nothing. */
    dryRun: z.boolean().default(false),
    /** How long to wait for the bank's base-data acknowledgements, and again for its test answer. */
    waitSeconds: z.number().int().min(10).max(3600).default(180),
  })
  .strict();

export const addAgentBankInputSchema = addAgentBankObject
  .transform((i) => ({
    ...i,
    qmgr: i.qmgr ?? `QM.${i.code}`,
    senderChannel: i.senderChannel ?? `CZ.TO.${i.code}`,
    receiverChannel: i.receiverChannel ?? `${i.code}.TO.CZ`,
    xmitq: i.xmitq ?? `QM.${i.code}`,
  }))
  .superRefine((i, ctx) => {
    if (i.senderChannel === i.receiverChannel) {
      ctx.addIssue({ code: 'custom', path: ['receiverChannel'], message: 'must differ from senderChannel' });
    }
    for (const [field, value] of [
      ['senderChannel', i.senderChannel],
      ['receiverChannel', i.receiverChannel],
    ] as const) {
      if (value.length > 20) {
        ctx.addIssue({ code: 'custom', path: [field], message: `${value} is longer than 20 characters` });
      }
    }
  });
export type AddAgentBankInput = z.input<typeof addAgentBankInputSchema>;
export type AddAgentBankParsed = z.output<typeof addAgentBankInputSchema>;

/** The bank as it will be written to `<addedBanksDir>/<CODE>.yaml` (a site file bank entry). */
export interface NewBank {
  code: string;
  name: string;
  qmgr: string;
  senderChannel: string;
  receiverChannel: string;
  xmitq: string;
  frontEnd: { host: string; port: number };
  window: { open: string; close: string };
  programs: ({ name: string; pidFile: string } | { name: string; systemdUnit: string })[];
  bankQmgrAccess: boolean;
  /** Absent: the default rule set for the bank's code. */
  voucherRules?: VoucherRuleSetName;
}

/** The estate a new bank joins, as the registry reads it: what the bank must not clash with, and where it is registered. */
export interface EstateBanks {
  financeQmgr: string;
  addedBanksDir: string | null;
  /** The folders a new bank's pid files may lie in (the site's pidDirs). */
  pidDirs: string[];
  banks: Pick<
    NewBank,
    'code' | 'name' | 'qmgr' | 'senderChannel' | 'receiverChannel' | 'xmitq' | 'frontEnd'
  >[];
}

/** One MQ object finance defines on its queue manager. */
export type MqObjectSpec =
  | {
      type: 'QLOCAL';
      name: string;
      descr: string;
      /** A transmission queue, triggering its sender channel. */
      xmitqFor?: string;
    }
  | { type: 'QREMOTE'; name: string; descr: string; rname: string; rqmname: string; xmitq: string }
  | { type: 'SDR'; name: string; descr: string; conname: string; xmitq: string }
  | { type: 'RCVR'; name: string; descr: string };

export interface MqObjectSurvey {
  name: string;
  /** What the plan wants: QLOCAL, QREMOTE, SDR or RCVR. */
  type: MqObjectSpec['type'];
  state: 'absent' | 'same' | 'different';
  /** The attributes that differ, as `KEY: found ≠ wanted`. */
  differences: string[];
}

export type BankSideSurvey =
  | { access: false }
  | {
      access: true;
      reachable: boolean;
      detail: string;
      /** The bank's receiver of finance's sender channel, and its own sender channel. */
      receiverDefined: boolean;
      senderDefined: boolean;
    };

export interface TreasurySurvey {
  agentBank: { name: string; active: number; createdAt: string } | null;
  /** base_data_versions rows of the bank (none for a new bank). */
  versions: { kind: BaseDataKind; current: number; sent: number; acked: number }[];
  /** Finance's base data now: the current version of each kind and how many records it holds. */
  baseData: Record<BaseDataKind, { version: number; records: number }>;
}

export interface OnboardingSurvey {
  financeQmgr: string;
  objects: MqObjectSurvey[];
  bankSide: BankSideSurvey;
  frontEnd: FrontEndCheck;
  programs: ProgramsCheck;
  treasury: TreasurySurvey;
}

/** What the run will do with the treasury database and the bank, decided from the survey. */
export interface TreasurySteps {
  insertAgentBank: boolean;
  /** base_data_versions rows to insert (kinds the bank has no row for). */
  insertVersions: { kind: BaseDataKind; version: number }[];
  /** Base-data pushes to request (kinds the bank has not acknowledged at the current version). */
  pushes: { pushId: string; kind: BaseDataKind; version: number; records: number }[];
  /** The test message: a status query about a voucher number nobody has (the bank answers "not known"). */
  testQuery: { subject: 'voucher'; queryId: string; voucherNo: string };
}

export type Readiness =
  | { kind: 'ready'; notes: string[] }
  | { kind: 'not-ready'; why: string[] }
  | { kind: 'conflict'; why: string[] };

export interface BaseDataPushState {
  pushId: string;
  kind: BaseDataKind;
  version: number;
  status: string;
  acked: number;
  reason: string | null;
}

export interface TestMessageState {
  queryId: string;
  voucherNo: string;
  /** answered; sent by the send/receive program but not answered; or not sent at all. */
  status: 'answered' | 'sent' | 'pending_send';
  /** The bank's answer: whether it knows the (made-up) voucher and its last accepted serial. */
  answer: BankAnswer | null;
}

export type AddAgentBankOutcome =
  'added' | 'planned' | 'rejected' | 'expired' | 'not-ready' | 'conflict' | 'not-verified' | 'plan-unstable';

export interface AddAgentBankResult {
  runbook: 'add-agent-bank';
  workflowId: string;
  bank: string;
  outcome: AddAgentBankOutcome;
  why: string[];
  survey: OnboardingSurvey;
  plan?: ApprovalPlan;
  planDigest?: string;
  approval?: GateOutcome;
  actions: { command: string; target: string; detail: string; at: string }[];
  baseData?: BaseDataPushState[];
  testMessage?: TestMessageState;
  /** The channels after the test message, both directions on finance's queue manager. */
  channels?: { sender: string; receiver: string };
  registered?: { file: string; alreadyDone: boolean };
  report: { markdown: string; html: string };
}
