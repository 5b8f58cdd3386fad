/**
 * `npm run build`: the production code. Compiles the entry points a site runs — the workers, the
 * inbox, the operator CLI — to JavaScript (tsc with tsconfig.build.json), and bundles the
 * workflows once (bundleWorkflowCode, with the payload codec's failure converter; its source map
 * without the sources) into `workflow-bundle.js` beside them, which the compiled worker loads
 * instead of compiling the workflows when it starts. Then `node dist/workers/main.js` runs without tsx.
 *   npm run build                  into dist/
 *   npm run build -- --out <dir>   elsewhere
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../temporal.config.ts';
import { argumentsOk, commandLine } from './lib/check-args.ts';
import { workflowBundleFile } from '../workers/prebuilt-bundle.ts';
import { bundleWorkflows } from '../workers/workflow-bundle.ts';

const { args, checkOnly } = commandLine();
const { values } = parseArgs({ args, options: { out: { type: 'string', default: 'dist' } } });
const out = resolve(projectRoot, values.out);
if (checkOnly) {
  console.log(argumentsOk(`build into ${out}`));
  process.exit(0);
}

const started = Date.now();
rmSync(out, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', out], {
  cwd: projectRoot,
  stdio: 'inherit',
});
if (compiled.status !== 0) {
  console.error(`tsc failed (exit ${compiled.status ?? compiled.signal})`);
  process.exit(1);
}
const afterTsc = Date.now();

const code = await bundleWorkflows();
const bundleFile = join(out, workflowBundleFile);
const bundle = withoutSourcesContent(code);
writeFileSync(bundleFile, bundle);
console.log(
  `Compiled to ${out} in ${((afterTsc - started) / 1000).toFixed(1)} s; workflow bundle ${bundleFile} ` +
    `(${(bundle.length / 1024 / 1024).toFixed(1)} MiB) in ${((Date.now() - afterTsc) / 1000).toFixed(1)} s`,
);

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
