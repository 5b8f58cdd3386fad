/**
 * A namespace per test file on the dev server `npm test` starts: files that run at the same time
 * then share nothing in Temporal but the server. The name comes from the file's path, so the test
 * command (which creates the namespaces) and the file itself (its `process.argv[1]`, compiled in the
 * run's build: scripts/lib/test-build-layout.ts) agree without telling each other.
 */
import { relative, resolve } from 'node:path';
import { projectRoot } from '../../temporal.config.ts';
import { sourceFile } from './test-build-layout.ts';

/** Set by `npm test` when every file has its namespace; absent, files work in `default`. */
export const namespacePerFileEnv = 'JINCAI_TEST_NAMESPACE_PER_FILE';

/**
 * The dev server `npm test` starts runs no per-namespace system workers: Temporal starts one in
 * every namespace (for schedules and batch operations), and a hundred and sixty of them polling cost
 * the server some 2.7 s of CPU a minute idle (0.5 s without). A file that uses schedules starts a
 * server of its own (test/support/temporal.ts).
 */
export const sharedServerDynamicConfig = { 'worker.perNamespaceWorkerCount': 0 };

/** `test/integration/channel-recovery.test.ts` (or its compiled file) → `test.integration.channel-recovery`. */
export function testFileNamespace(file: string): string {
  return relative(projectRoot, sourceFile(resolve(projectRoot, file)))
    .replace(/\.test\.ts$/, '')
    .split(/[\\/]/)
    .map((part) => part.replace(/[^A-Za-z0-9_-]/g, '_'))
    .join('.');
}
