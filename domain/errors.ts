/**
 * The kinds of failure a runbook can end with. Activities and workflows throw
 * `ApplicationFailure`s whose `type` is one of these, so retry policies and reports can say
 * what went wrong without parsing prose.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';

export const ErrorKind = {
  InvalidInput: 'InvalidInput',
  ConfigurationError: 'ConfigurationError',
  ChannelUnreachable: 'ChannelUnreachable',
  MqCommandFailed: 'MqCommandFailed',
  MqAuthFailed: 'MqAuthFailed',
  ApprovalRefused: 'ApprovalRefused',
  /** A claim of a run (the `claimRun` update) refused by its validator: nothing was recorded. */
  ClaimRefused: 'ClaimRefused',
  /** A mutating activity's approval proof does not hold (domain/approvals/proof.ts): nothing was changed. */
  ApprovalProofRefused: 'ApprovalProofRefused',
  /** An activity scheduled by a run that is not one of the site's runbooks: nothing was done. */
  ForeignRun: 'ForeignRun',
  ResourceLocked: 'ResourceLocked',
  UnexpectedState: 'UnexpectedState',
  NotificationFailed: 'NotificationFailed',
  /** The audit store no longer matches its signed head: retried until the trail is restored. */
  AuditTrailBroken: 'AuditTrailBroken',
  /** The working-day calendar has no data for the year asked about: the site must declare it. */
  CalendarYearUnknown: 'CalendarYearUnknown',
  /** A hand decision (the `decideStep` update) refused by its validator: nothing was recorded. */
  HandDecisionRefused: 'HandDecisionRefused',
  /** An operator aborted the run at a paused step: its compensations ran and its report was written. */
  RunAborted: 'RunAborted',
} as const;
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

/** Errors no retry can fix: the activity or workflow fails at once. */
export const nonRetryableErrorKinds: ErrorKind[] = [
  ErrorKind.InvalidInput,
  ErrorKind.ConfigurationError,
  ErrorKind.MqAuthFailed,
  ErrorKind.CalendarYearUnknown,
  ErrorKind.ApprovalProofRefused,
  ErrorKind.ForeignRun,
];

/** At most this many problems are spelled out; the rest are counted. */
export const listedProblems = 10;
const problemChars = 300;

/**
 * The first problems, each cut to a readable length, and a count of the rest. A refusal stays
 * small whatever the input: a failure larger than Temporal's blob limit (2 MB by default) would
 * fail the workflow task instead of the workflow, and the task would be retried for ever.
 */
export function boundedProblems(problems: readonly string[]): string[] {
  const listed = problems
    .slice(0, listedProblems)
    .map((p) => (p.length > problemChars ? `${p.slice(0, problemChars - 1)}…` : p));
  const rest = problems.length - listed.length;
  return rest > 0 ? [...listed, `… and ${rest} more problem(s)`] : listed;
}

/** A non-retryable InvalidInput failure whose message names the wrong fields (the first ones, and how many more). */
export function invalidInput(problems: string[]): ApplicationFailure {
  const bounded = boundedProblems(problems);
  return ApplicationFailure.create({
    type: ErrorKind.InvalidInput,
    nonRetryable: true,
    message: `Invalid input: ${bounded.join('; ')}`,
    details: bounded,
  });
}

/** A value quoted for an error message, cut to a readable length. */
export function quoted(value: string, max = 40): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}

const pathOf = (path: readonly PropertyKey[]) =>
  path.reduce<string>((acc, part) => {
    if (typeof part === 'number') return `${acc}[${part}]`;
    const key = String(part);
    return /^[A-Za-z_$][\w$]{0,39}$/.test(key) ? `${acc}.${key}` : `${acc}[${quoted(key)}]`;
  }, 'input');

/** Formats zod issues as `input.path: message`; each unknown key is its own problem, named. */
export function describeInputIssues(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `${pathOf([...issue.path, key])}: not a field of this runbook's input`)
      : [`${pathOf(issue.path)}: ${issue.message}`],
  );
}

/** What a runbook input that is not a JSON object is, in words. */
function notAnObject(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (Object.prototype.toString.call(raw) === '[object Object]') return undefined;
  if (ArrayBuffer.isView(raw)) return `binary data (${raw.byteLength} bytes)`;
  if (Array.isArray(raw)) return 'a list';
  return typeof raw === 'string' ? 'a string' : `a ${typeof raw}`;
}

/** Checks a runbook input with its schema: the parsed input, or every problem (unbounded: bound before showing). */
export function checkInput<S extends z.ZodType>(
  schema: S,
  raw: unknown,
): { ok: true; input: z.output<S> } | { ok: false; problems: string[] } {
  const got = notAnObject(raw);
  if (got)
    return { ok: false, problems: [`input: expected a JSON object of the runbook's fields, got ${got}`] };
  const parsed = schema.safeParse(raw ?? {});
  return parsed.success
    ? { ok: true, input: parsed.data }
    : { ok: false, problems: describeInputIssues(parsed.error) };
}

/** Parses a runbook input with its schema, or throws InvalidInput naming the wrong fields. */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const checked = checkInput(schema, raw);
  if (!checked.ok) throw invalidInput(checked.problems);
  return checked.input;
}

/**
 * Whether an activity failed because it refused the run's approval (domain/approvals/proof.ts): the run
 * was reset or started again, the approval aged, or the action was not the plan's. Nothing was
 * changed; a runbook plans and asks again rather than act.
 */
export function isProofRefusal(err: unknown): boolean {
  return (
    err instanceof ActivityFailure &&
    err.cause instanceof ApplicationFailure &&
    err.cause.type === ErrorKind.ApprovalProofRefused
  );
}
