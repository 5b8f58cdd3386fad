/** The environment the sandbox passes to the exchange client process (exchange-client.ts). */
export const exchangeEnv = {
  pidFile: 'JINCAI_EXCH_PID_FILE',
  statusPort: 'JINCAI_EXCH_STATUS_PORT',
  treasuryDb: 'JINCAI_EXCH_TREASURY_DB',
  platformUrl: 'JINCAI_EXCH_PLATFORM_URL',
  division: 'JINCAI_EXCH_DIVISION',
  /** Comma-separated voucher types, e.g. 5201,8202. */
  voucherTypes: 'JINCAI_EXCH_VOUCHER_TYPES',
  keyFile: 'JINCAI_EXCH_KEY_FILE',
  certFile: 'JINCAI_EXCH_CERT_FILE',
  heartbeatFile: 'JINCAI_EXCH_HEARTBEAT_FILE',
  faultFile: 'JINCAI_EXCH_FAULT_FILE',
  clockFile: 'JINCAI_EXCH_CLOCK_FILE',
  intervalMs: 'JINCAI_EXCH_INTERVAL_MS',
  version: 'JINCAI_EXCH_VERSION',
} as const;
