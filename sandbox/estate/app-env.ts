/** The environment the sandbox passes to each application-server process (app-server.ts). */
export const appEnv = {
  pidFile: 'JINCAI_APP_PID_FILE',
  port: 'JINCAI_APP_PORT',
  dbFile: 'JINCAI_APP_DB_FILE',
  versionFile: 'JINCAI_APP_VERSION_FILE',
  faultFile: 'JINCAI_APP_FAULT_FILE',
  /** An installed application's folder (releases/installations.ts): its class path is checked at start. */
  installDir: 'JINCAI_APP_INSTALL_DIR',
  /** Read the schema version of this subsystem from `schema_versions` (the treasury's) instead of `schema_info`. */
  schemaOf: 'JINCAI_APP_SCHEMA_OF',
} as const;
