/**
 * What a test run builds once, before its files start, into a folder it names in JINCAI_TEST_BUILD
 * (inside the project, so the compiled files find node_modules as dist/ does): the production build
 * (scripts/lib/production-build.ts: the compiled entry points and the runbooks' workflow bundle,
 * interceptors included; its types are checked by `./jincai check`, not again here), the bundle
 * of the inbox's approval fixture, and the whole project compiled file by file, which the test
 * files run from (scripts/lib/compile-project.ts, scripts/lib/test-build-layout.ts). Test workers
 * load those bundles as a production worker loads its own, and the worker processes and operator
 * command lines the tests start run compiled, as at a site, instead of compiling TypeScript at every
 * start. test/support/test-build.ts reads it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../temporal.config.ts';
import { bundleWorkflows } from '../../workers/workflow-bundle.ts';
import { compileProject } from './compile-project.ts';
import { buildProduction } from './production-build.ts';
import { compiledProject } from './test-build-layout.ts';

/** The inbox's approval fixture, bundled on its own (no runbook interceptors), and its file in the build. */
export const approvalFixtureBundle = {
  options: { entry: join(projectRoot, 'test', 'inbox', 'fixtures', 'workflows.ts'), interceptorModules: [] },
  file: 'approval-fixture-bundle.js',
};

/** Builds into `dir`; returns what it built, in a few words. */
export async function buildForTests(dir: string): Promise<string> {
  const started = Date.now();
  // The fixture's bundle is made and the project compiled while tsc compiles, as the runbooks'
  // bundle is (production-build.ts), which empties the folder first, as it is called.
  const [, fixture, compiled] = await Promise.all([
    buildProduction(dir, { checkTypes: false }),
    bundleWorkflows(approvalFixtureBundle.options),
    compileProject(compiledProject(dir)),
  ]);
  writeFileSync(join(dir, approvalFixtureBundle.file), fixture);
  return (
    `production build, the approval fixture's bundle and ${compiled} files compiled for the tests ` +
    `in ${((Date.now() - started) / 1000).toFixed(1)} s`
  );
}
