/**
 * The Temporal server for a test file: the one `npm test` started (JINCAI_TEST_TEMPORAL_ADDRESS),
 * or, when a file runs on its own, a fresh in-memory dev server of its own.
 */
import { projectSearchAttributes, startDevServer } from '../../scripts/lib/dev-server.ts';
import { ensureTemporalCli } from '../../scripts/lib/temporal-cli.ts';

export interface TestTemporal {
  address: string;
  stop(): Promise<void>;
}

export async function testTemporal(): Promise<TestTemporal> {
  const shared = process.env.JINCAI_TEST_TEMPORAL_ADDRESS;
  if (shared) return { address: shared, stop: async () => undefined };
  const cliPath = await ensureTemporalCli({ log: () => undefined });
  const server = await startDevServer({ cliPath, uiPort: false, searchAttributes: projectSearchAttributes });
  return { address: server.address, stop: () => server.stop() };
}
