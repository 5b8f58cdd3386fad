/**
 * Workflow bundles built once per test run. `npm test` bundles the runbooks and the approval
 * fixture before the files start and names the folder in JINCAI_TEST_WORKFLOW_BUNDLES; every
 * in-process worker and every worker process a file starts then loads a bundle (as a production
 * worker does) instead of running webpack again — seconds of CPU each, and more on a loaded
 * machine. A file run on its own builds what it needs once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflows, workflowsPath } from '../../workers/workflow-bundle.ts';

export const testWorkflowBundlesEnv = 'JINCAI_TEST_WORKFLOW_BUNDLES';

const entries = {
  runbooks: workflowsPath,
  'approval-fixture': fileURLToPath(new URL('../inbox/fixtures/workflows.ts', import.meta.url)),
} as const;

export type TestBundle = keyof typeof entries;

/** Writes every bundle into `dir` as `<name>.js`. */
export async function writeTestWorkflowBundles(dir: string): Promise<void> {
  for (const [name, entry] of Object.entries(entries)) {
    writeFileSync(join(dir, `${name}.js`), await bundleWorkflows(entry));
  }
}

const ownBuilds = new Map<TestBundle, Promise<string>>();

/** The bundle's file, for `workflowBundle: { codePath }` or a worker's `--workflow-bundle`. */
export async function testWorkflowBundle(name: TestBundle): Promise<{ codePath: string }> {
  const shared = process.env[testWorkflowBundlesEnv];
  if (shared) return { codePath: join(shared, `${name}.js`) };
  let built = ownBuilds.get(name);
  if (!built) {
    built = bundleWorkflows(entries[name]).then((code) => {
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
