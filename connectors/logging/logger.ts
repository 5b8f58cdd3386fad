/**
 * Structured logging (pino) with redaction of secrets and personal data, and an adapter that
 * routes the Temporal SDK's own log lines through it.
 */
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Field names whose values must never reach a log in plain text, in the naming styles the code
 * and the bank messages use (camelCase, snake_case, header names). A generic `url` stays
 * readable; a chat robot's URL carries its key, so it travels as `webhookUrl`.
 */
export const redactedFields = [
  // payee / payer accounts and names (personal data)
  ...['account', 'payeeAccount', 'payerAccount', 'acct', 'payeeAcct', 'payerAcct'].flatMap((stem) => [
    `${stem}No`,
    `${stem}Number`,
    `${stem}Name`,
  ]),
  'payeeAccount',
  'payerAccount',
  'payeeName',
  'payerName',
  ...['account', 'payee_account', 'payer_account', 'acct', 'payee_acct', 'payer_acct'].flatMap((stem) => [
    `${stem}_no`,
    `${stem}_number`,
    `${stem}_name`,
  ]),
  'payee_account',
  'payer_account',
  'payee_name',
  'payer_name',
  'cardNo',
  'card_no',
  // credentials
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'clientSecret',
  'client_secret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'idToken',
  'id_token',
  'sessionToken',
  'session_token',
  'apiKey',
  'api_key',
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'cookie',
  'cookies',
  'set-cookie',
  // signing and encryption keys
  'privateKey',
  'private_key',
  'privateKeyPem',
  'secretKey',
  'secret_key',
  'payloadKeys',
  // chat robot URLs (the key is in the URL)
  'webhookUrl',
  'webhook_url',
];

/**
 * How deep below the top of a log line a field is still found (objects and arrays alike), e.g.
 * `{ plan: { vouchers: [{ payee: { accountNo } }] } }`. Each level adds wildcard paths, whose
 * cost grows with it (about 0.4 ms a line at 4), so deeper data should be logged flatter.
 */
const REDACT_DEPTH = 4;

/** pino paths for `fields` at the top level and up to `depth` levels down; `*` also walks arrays. */
export function redactPaths(fields: readonly string[], depth = REDACT_DEPTH): string[] {
  return fields.flatMap((field) => {
    const key = /^[A-Za-z_$][\w$]*$/.test(field) ? field : `["${field}"]`;
    return Array.from({ length: depth + 1 }, (_, level) => {
      const prefix = '*.'.repeat(level);
      return key.startsWith('[') ? `${prefix.slice(0, -1)}${key}` : `${prefix}${key}`;
    });
  });
}

/** The process's logger; `destination` replaces stdout (tests capture lines with it). */
export function createLogger(
  name: string,
  level = process.env.LOG_LEVEL ?? 'info',
  destination?: DestinationStream,
): Logger {
  const options = { name, level, redact: { paths: redactPaths(redactedFields), censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
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
