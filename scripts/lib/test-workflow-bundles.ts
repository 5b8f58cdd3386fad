/**
 * The workflow bundles a test run shares. `npm test` bundles each entry once before the files
 * start and names the folder in JINCAI_TEST_WORKFLOW_BUNDLES; test workers load them from there
 * (test/support/workflow-bundles.ts), as a production worker loads its prebuilt bundle.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../temporal.config.ts';
import { bundleWorkflows } from '../../workers/workflow-bundle.ts';

export const testWorkflowBundlesEnv = 'JINCAI_TEST_WORKFLOW_BUNDLES';

/**
 * Each bundle a test worker may load, by name, and what it bundles: the runbooks as the workers
 * bundle them (with their interceptors), the inbox's approval fixture on its own.
 */
export const testBundleEntries = {
  runbooks: {},
  'approval-fixture': {
    entry: join(projectRoot, 'test', 'inbox', 'fixtures', 'workflows.ts'),
    interceptorModules: [],
  },
} as const satisfies Record<string, Parameters<typeof bundleWorkflows>[0]>;

export type TestBundle = keyof typeof testBundleEntries;

/** Writes every bundle into `dir` as `<name>.js`. */
export async function writeTestWorkflowBundles(dir: string): Promise<void> {
  for (const [name, bundle] of Object.entries(testBundleEntries)) {
    writeFileSync(join(dir, `${name}.js`), await bundleWorkflows(bundle));
  }
}
