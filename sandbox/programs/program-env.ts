/** The environment the sandbox server passes to each send/receive program process. */
export const programEnv = {
  url: 'JINCAI_SR_MQWEB_URL',
  user: 'JINCAI_SR_MQWEB_USER',
  password: 'JINCAI_SR_MQWEB_PASSWORD',
  treasuryDb: 'JINCAI_SR_TREASURY_DB',
  pidFile: 'JINCAI_SR_PID_FILE',
  clockFile: 'JINCAI_SR_CLOCK_FILE',
  financeQmgr: 'JINCAI_SR_FINANCE_QMGR',
  intervalMs: 'JINCAI_SR_INTERVAL_MS',
} as const;
