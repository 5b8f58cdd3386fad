/**
 * The workflow bundles a test run shares. `npm test` bundles each entry once before the files
 * start and names the folder in JINCAI_TEST_WORKFLOW_BUNDLES; test workers load them from there
 * (test/support/workflow-bundles.ts), as a production worker loads its prebuilt bundle.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflows, workflowsPath } from '../../workers/workflow-bundle.ts';
import { projectRoot } from '../../temporal.config.ts';

export const testWorkflowBundlesEnv = 'JINCAI_TEST_WORKFLOW_BUNDLES';

/** Each bundle a test worker may load, by name, and the workflows it bundles. */
export const testBundleEntries = {
  runbooks: workflowsPath,
  'approval-fixture': join(projectRoot, 'test', 'inbox', 'fixtures', 'workflows.ts'),
} as const;

export type TestBundle = keyof typeof testBundleEntries;

/** Writes every bundle into `dir` as `<name>.js`. */
export async function writeTestWorkflowBundles(dir: string): Promise<void> {
  for (const [name, entry] of Object.entries(testBundleEntries)) {
    writeFileSync(join(dir, `${name}.js`), await bundleWorkflows(entry));
  }
}
