/**
 * The Temporal server for a test file: the one `npm test` started, or the cluster
 * `npm run cluster -- test` points at (JINCAI_TEST_TEMPORAL_ADDRESS, with TLS settings in
 * JINCAI_TEST_TEMPORAL_TLS as the site's `temporal.tls` section in JSON), or, when a file runs on
 * its own, a fresh in-memory dev server of its own.
 *
 * On the server `npm test` started, each test file has a namespace of its own
 * (JINCAI_TEST_NAMESPACE_PER_FILE; scripts/lib/test-namespaces.ts), so files that run at the same
 * time never meet: not in resource locks (`lock/channel/CZ.TO.ICBC`), not in the ids runbooks derive
 * from the date, not in visibility listings or schedules.
 */
import { join } from 'node:path';
import {
  temporalConnectionOptions,
  type TemporalConnectionOptions,
} from '../../connectors/temporal/connection-options.ts';
import { projectSearchAttributes, startDevServer } from '../../scripts/lib/dev-server.ts';
import { ensureTemporalCli } from '../../scripts/lib/temporal-cli.ts';
import { namespacePerFileEnv, testFileNamespace } from '../../scripts/lib/test-namespaces.ts';
import { temporalTlsSchema, type TemporalTlsConfig } from '../../temporal.config.ts';

export interface TestTemporal {
  address: string;
  /** The namespace this test file works in. */
  namespace: string;
  /** The site's `temporal.tls` for this server; absent: plain TCP. */
  tls?: TemporalTlsConfig;
  /** For `Connection.connect` and `NativeConnection.connect`. */
  connectionOptions(): TemporalConnectionOptions;
  stop(): Promise<void>;
}

/**
 * `schedules`: the file creates Temporal Schedules, which the server `npm test` starts does not run
 * (scripts/lib/test-namespaces.ts): such a file gets a server of its own there.
 */
export async function testTemporal(options: { schedules?: boolean } = {}): Promise<TestTemporal> {
  const shared = process.env.JINCAI_TEST_TEMPORAL_ADDRESS;
  const perFile = !!process.env[namespacePerFileEnv];
  if (shared && !(options.schedules && perFile)) {
    const tlsJson = process.env.JINCAI_TEST_TEMPORAL_TLS;
    const tls = tlsJson ? temporalTlsSchema.parse(JSON.parse(tlsJson)) : undefined;
    return {
      address: shared,
      namespace: perFile ? testFileNamespace(process.argv[1] ?? '') : 'default',
      ...(tls && { tls }),
      connectionOptions: () => temporalConnectionOptions({ address: shared, tls }),
      stop: async () => undefined,
    };
  }
  const cliPath = await ensureTemporalCli({ log: () => undefined });
  const server = await startDevServer({ cliPath, uiPort: false, searchAttributes: projectSearchAttributes });
  return {
    address: server.address,
    namespace: server.namespace,
    connectionOptions: () => ({ address: server.address }),
    stop: () => server.stop(),
  };
}

/**
 * A dev server of the test's own that keeps its state in a SQLite file under `dir`, so `restart()`
 * can stop it and start it again on the same port, with every run where it was.
 */
export async function restartableTemporal(dir: string): Promise<TestTemporal & { restart(): Promise<void> }> {
  const cliPath = await ensureTemporalCli({ log: () => undefined });
  const options = {
    cliPath,
    uiPort: false as const,
    dbFile: join(dir, 'temporal.sqlite'),
    searchAttributes: projectSearchAttributes,
  };
  let server = await startDevServer(options);
  const { address, namespace } = server;
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  return {
    address,
    namespace,
    connectionOptions: () => ({ address }),
    stop: () => server.stop(),
    async restart() {
      await server.stop();
      server = await startDevServer({ ...options, port });
    },
  };
}
