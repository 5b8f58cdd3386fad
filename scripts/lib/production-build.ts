/**
 * The production build (`npm run build`, scripts/build.ts): the entry points a site runs compiled to
 * JavaScript (tsc with tsconfig.build.json; the sandbox's programs bundled, entry-bundles.ts), and
 * the workflows bundled once (bundleWorkflowCode, with the payload codec's failure converter; its
 * source map without the sources) into `workflow-bundle.js` beside them, which the compiled worker
 * loads instead of compiling the workflows when it starts — the two at once, on two cores. `npm
 * test` builds the same into a folder of its own for the processes its files start
 * (scripts/lib/test-build.ts), without checking the types again: the emitted JavaScript is the same,
 * and CI checks them first (`./jincai check`).
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { projectRoot } from '../../temporal.config.ts';
import { workflowBundleFile } from '../../workers/prebuilt-bundle.ts';
import { bundleWorkflows } from '../../workers/workflow-bundle.ts';
import { bundleEntryPoints } from './entry-bundles.ts';

export interface BuildTimes {
  compileSeconds: number;
  bundleSeconds: number;
  bundleFile: string;
  bundleBytes: number;
}

/** Builds into `out` (emptied first); throws when tsc fails, after it printed why. */
export async function buildProduction(out: string, options: { checkTypes: boolean }): Promise<BuildTimes> {
  const started = Date.now();
  rmSync(out, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const args = [
    tsc,
    '-p',
    'tsconfig.build.json',
    '--outDir',
    out,
    ...(options.checkTypes ? [] : ['--noCheck']),
  ];
  const compile = (async () => {
    const compiled = spawn(process.execPath, args, { cwd: projectRoot, stdio: 'inherit' });
    const [code, signal] = (await new Promise((done) => compiled.once('exit', (...end) => done(end)))) as [
      number | null,
      NodeJS.Signals | null,
    ];
    if (code !== 0) throw new Error(`tsc failed (exit ${code ?? signal})`);
    await bundleEntryPoints(out);
    return (Date.now() - started) / 1000;
  })();
  // The workflows are bundled from their sources in this process while tsc compiles in its own.
  const bundling = (async () => {
    const bundle = withoutSourcesContent(await bundleWorkflows());
    return { bundle, seconds: (Date.now() - started) / 1000 };
  })();
  const [compileSeconds, { bundle, seconds: bundleSeconds }] = await Promise.all([compile, bundling]);
  const bundleFile = join(out, workflowBundleFile);
  writeFileSync(bundleFile, bundle);
  return {
    compileSeconds,
    bundleSeconds,
    bundleFile,
    bundleBytes: bundle.length,
  };
}

/**
 * The bundle's inline source map without the sources themselves: stack traces still name the
 * runbook's file, line and column, and the worker holds some 55 MiB less (the map is parsed in the
 * main thread and again in the workflow thread). Only Temporal's enhanced stack trace query shows no
 * source lines.
 */
function withoutSourcesContent(bundle: string): string {
  const marker = '//# sourceMappingURL=data:application/json;charset=utf-8;base64,';
  const at = bundle.lastIndexOf(marker);
  if (at < 0) throw new Error('the workflow bundle has no inline source map');
  const map = JSON.parse(Buffer.from(bundle.slice(at + marker.length).trim(), 'base64').toString('utf8')) as {
    sourcesContent?: unknown;
  };
  delete map.sourcesContent;
  return `${bundle.slice(0, at)}${marker}${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
}
