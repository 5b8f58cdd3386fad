/**
 * The test run's build (scripts/lib/test-build.ts) — or, for a file run on its own, what it builds
 * instead: the workflow bundles test workers load, and how to start an entry point of the project
 * as a process, compiled when the build holds it.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { approvalFixtureBundle } from '../../scripts/lib/test-build.ts';
import { compiledFile, testBuildEnv } from '../../scripts/lib/test-build-layout.ts';
import { projectRoot } from '../../temporal.config.ts';
import { workflowBundleFile } from '../../workers/prebuilt-bundle.ts';
import { bundleWorkflows } from '../../workers/workflow-bundle.ts';

const bundles = {
  runbooks: { options: {}, file: workflowBundleFile },
  'approval-fixture': approvalFixtureBundle,
} as const;

export type TestBundle = keyof typeof bundles;

const ownBuilds = new Map<TestBundle, Promise<string>>();

/** The bundle's file, for `workflowBundle: { codePath }` or a worker's `--workflow-bundle`. */
export async function testWorkflowBundle(name: TestBundle): Promise<{ codePath: string }> {
  const build = process.env[testBuildEnv];
  if (build) return { codePath: join(build, bundles[name].file) };
  let built = ownBuilds.get(name);
  if (!built) {
    built = bundleWorkflows(bundles[name].options).then((code) => {
      const dir = mkdtempSync(join(tmpdir(), 'jincai-bundle-'));
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      const file = join(dir, bundles[name].file);
      writeFileSync(file, code);
      return file;
    });
    ownBuilds.set(name, built);
  }
  return { codePath: await built };
}

/** The test run's build folder, when the file runs inside `npm test` (the sandbox starts its programs from it). */
export function testBuild(): string | undefined {
  return process.env[testBuildEnv];
}

/**
 * Node's arguments to run an entry point of the project (`workers/main.ts`, `scripts/runbook.ts`):
 * its compiled file in the run's build — the production build's when it holds it, as at a site,
 * else the one the run compiled the whole project into (`sandbox/cli.ts`, `scripts/demo.ts`) — a
 * process that starts in a second of CPU less; outside a run, the source through tsx.
 */
export function entryPointArgs(file: string): string[] {
  const build = process.env[testBuildEnv];
  const compiled =
    build &&
    [join(build, file.replace(/\.ts$/, '.js')), compiledFile(resolve(projectRoot, file), build)].find((f) =>
      existsSync(f),
    );
  return compiled ? [compiled] : ['--import', 'tsx', file];
}
