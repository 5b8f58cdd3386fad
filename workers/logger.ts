/**
 * Structured logging (pino) with redaction of secrets and personal data, and an adapter that
 * routes the Temporal SDK's own log lines through it.
 */
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { pino, type Logger } from 'pino';

/** Field names whose values must never reach a log in plain text. */
export const redactedFields = [
  'password',
  'passwd',
  'token',
  'secret',
  'authorization',
  'accountNo',
  'account_no',
  'payeeAccount',
  'payee_account_no',
  'accountName',
  'account_name',
  'payeeName',
  'payee_name',
];

export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    redact: { paths: redactedFields.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]), censor: '[redacted]' },
  });
}

export function temporalLogger(log: Logger): TemporalLogger {
  const at =
    (level: 'trace' | 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, meta?: LogMetadata): void =>
      log[level](meta ?? {}, message);
  return {
    log: (level: LogLevel, message: string, meta?: LogMetadata) =>
      log[level.toLowerCase() as 'info'](meta ?? {}, message),
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
}
