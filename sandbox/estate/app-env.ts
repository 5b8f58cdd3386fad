/** The environment the sandbox passes to each application-server process (app-server.ts). */
export const appEnv = {
  pidFile: 'JINCAI_APP_PID_FILE',
  port: 'JINCAI_APP_PORT',
  dbFile: 'JINCAI_APP_DB_FILE',
  versionFile: 'JINCAI_APP_VERSION_FILE',
  faultFile: 'JINCAI_APP_FAULT_FILE',
} as const;
