/**
 * Workflow bundles built once per test run. Under `npm test` every in-process worker and every
 * worker process a file starts loads the run's bundle (scripts/lib/test-workflow-bundles.ts) instead
 * of running webpack again — seconds of CPU each, and more on a loaded machine. A file run on its
 * own builds what it needs once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  testBundleEntries,
  testWorkflowBundlesEnv,
  type TestBundle,
} from '../../scripts/lib/test-workflow-bundles.ts';
import { bundleWorkflows } from '../../workers/workflow-bundle.ts';

const ownBuilds = new Map<TestBundle, Promise<string>>();

/** The bundle's file, for `workflowBundle: { codePath }` or a worker's `--workflow-bundle`. */
export async function testWorkflowBundle(name: TestBundle): Promise<{ codePath: string }> {
  const shared = process.env[testWorkflowBundlesEnv];
  if (shared) return { codePath: join(shared, `${name}.js`) };
  let built = ownBuilds.get(name);
  if (!built) {
    built = bundleWorkflows(testBundleEntries[name]).then((code) => {
      const dir = mkdtempSync(join(tmpdir(), 'jincai-bundle-'));
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      const file = join(dir, `${name}.js`);
      writeFileSync(file, code);
      return file;
    });
    ownBuilds.set(name, built);
  }
  return { codePath: await built };
}
