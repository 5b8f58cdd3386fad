/**
 * `npm run build`: the production code (scripts/lib/production-build.ts) — the entry points a site
 * runs (the workers, the inbox, the operator CLI) compiled to JavaScript, and the workflows bundled
 * once into `workflow-bundle.js` beside them. Then `node dist/workers/main.js` runs without tsx.
 *   npm run build                  into dist/
 *   npm run build -- --out <dir>   elsewhere
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../temporal.config.ts';
import { argumentsOk, commandLine } from './lib/check-args.ts';
import { buildProduction } from './lib/production-build.ts';

const { args, checkOnly } = commandLine();
const { values } = parseArgs({ args, options: { out: { type: 'string', default: 'dist' } } });
const out = resolve(projectRoot, values.out);
if (checkOnly) {
  console.log(argumentsOk(`build into ${out}`));
  process.exit(0);
}

try {
  const built = await buildProduction(out, { checkTypes: true });
  console.log(
    `Compiled to ${out} in ${built.compileSeconds.toFixed(1)} s; workflow bundle ${built.bundleFile} ` +
      `(${(built.bundleBytes / 1024 / 1024).toFixed(1)} MiB) in ${built.bundleSeconds.toFixed(1)} s`,
  );
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
