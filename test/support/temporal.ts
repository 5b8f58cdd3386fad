/**
 * The Temporal server for a test file: the one `npm test` started, or the cluster
 * `npm run cluster -- test` points at (JINCAI_TEST_TEMPORAL_ADDRESS, with TLS settings in
 * JINCAI_TEST_TEMPORAL_TLS as the site's `temporal.tls` section in JSON), or, when a file runs on
 * its own, a fresh in-memory dev server of its own.
 */
import {
  temporalConnectionOptions,
  type TemporalConnectionOptions,
} from '../../connectors/temporal/connection-options.ts';
import { projectSearchAttributes, startDevServer } from '../../scripts/lib/dev-server.ts';
import { ensureTemporalCli } from '../../scripts/lib/temporal-cli.ts';
import { temporalTlsSchema, type TemporalTlsConfig } from '../../temporal.config.ts';

export interface TestTemporal {
  address: string;
  /** The site's `temporal.tls` for this server; absent: plain TCP. */
  tls?: TemporalTlsConfig;
  /** For `Connection.connect` and `NativeConnection.connect`. */
  connectionOptions(): TemporalConnectionOptions;
  stop(): Promise<void>;
}

export async function testTemporal(): Promise<TestTemporal> {
  const shared = process.env.JINCAI_TEST_TEMPORAL_ADDRESS;
  if (shared) {
    const tlsJson = process.env.JINCAI_TEST_TEMPORAL_TLS;
    const tls = tlsJson ? temporalTlsSchema.parse(JSON.parse(tlsJson)) : undefined;
    return {
      address: shared,
      ...(tls && { tls }),
      connectionOptions: () => temporalConnectionOptions({ address: shared, tls }),
      stop: async () => undefined,
    };
  }
  const cliPath = await ensureTemporalCli({ log: () => undefined });
  const server = await startDevServer({ cliPath, uiPort: false, searchAttributes: projectSearchAttributes });
  return {
    address: server.address,
    connectionOptions: () => ({ address: server.address }),
    stop: () => server.stop(),
  };
}
