/**
 * The kinds of failure a runbook can end with. Activities and workflows throw
 * `ApplicationFailure`s whose `type` is one of these, so retry policies and reports can say
 * what went wrong without parsing prose.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';

export const ErrorKind = {
  InvalidInput: 'InvalidInput',
  ConfigurationError: 'ConfigurationError',
  ChannelUnreachable: 'ChannelUnreachable',
  MqCommandFailed: 'MqCommandFailed',
  MqAuthFailed: 'MqAuthFailed',
  BankRejected: 'BankRejected',
  ApprovalRejected: 'ApprovalRejected',
  ApprovalRefused: 'ApprovalRefused',
  ResourceLocked: 'ResourceLocked',
  UnexpectedState: 'UnexpectedState',
  NotificationFailed: 'NotificationFailed',
  /** The audit store no longer matches its signed head: retried until the trail is restored. */
  AuditTrailBroken: 'AuditTrailBroken',
} as const;
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

/** Errors no retry can fix: the activity or workflow fails at once. */
export const nonRetryableErrorKinds: ErrorKind[] = [
  ErrorKind.InvalidInput,
  ErrorKind.ConfigurationError,
  ErrorKind.MqAuthFailed,
];

/** A non-retryable InvalidInput failure whose message names every wrong field. */
export function invalidInput(problems: string[]): ApplicationFailure {
  return ApplicationFailure.create({
    type: ErrorKind.InvalidInput,
    nonRetryable: true,
    message: `Invalid input: ${problems.join('; ')}`,
    details: problems,
  });
}

/** Formats zod issues as `input.path: message`. */
export function describeInputIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.reduce<string>(
      (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : `${acc}.${String(part)}`),
      'input',
    );
    return `${path}: ${issue.message}`;
  });
}

/** Parses a runbook input with its schema, or throws InvalidInput naming each wrong field. */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) throw invalidInput(describeInputIssues(parsed.error));
  return parsed.data;
}
