/**
 * The whole project compiled file by file into a folder of the test run's build, mirroring the tree
 * (scripts/lib/test-build-layout.ts), for the test files to run as plain JavaScript: through tsx,
 * every import of every module — the Temporal SDK's included — goes through its loader's thread,
 * some 1.3 s of CPU more for each file that starts an estate. esbuild compiles as tsx does (the same
 * transform, the project's tsconfig), and each module keeps its source's `import.meta.url`, so that
 * what a module finds beside it — fixtures, the workflows it bundles, the programs it starts — is the
 * same files as from source. Relative `.ts` imports become `.js`; source maps point stack traces at
 * the `.ts` lines (node's `--enable-source-maps`).
 */
import { build, type Plugin } from 'esbuild';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../../temporal.config.ts';

/** Not the project's sources: packages, run data, builds. */
const outside = new Set(['node_modules', 'data', 'dist', '.temporal', '.git']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return outside.has(entry.name) ? [] : sources(join(dir, entry.name));
    return entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [];
  });
}

/**
 * Bundling only so that every import meets this plugin, which leaves each one outside the file it
 * is in: each module compiles to a module of its own, its relative `.ts` imports renamed `.js`.
 */
const everyImportOutside: Plugin = {
  name: 'every-import-outside',
  setup(compile) {
    compile.onResolve({ filter: /.*/ }, (args) =>
      args.kind === 'entry-point'
        ? undefined
        : { path: args.path.replace(/^(\.\.?\/.*)\.ts$/, '$1.js'), external: true },
    );
  },
};

/** Compiles every `.ts` file of the project into `out`; returns how many. */
export async function compileProject(out: string): Promise<number> {
  const files = sources(projectRoot);
  // A module's `import.meta.url` is its source's: the compiled file's URL with the folder and the
  // extension swapped back, worked out by the first line of each file.
  const here = JSON.stringify(pathToFileURL(out).href + '/');
  const source = JSON.stringify(pathToFileURL(projectRoot).href + '/');
  await build({
    entryPoints: files,
    outdir: out,
    outbase: projectRoot,
    bundle: true,
    treeShaking: false,
    plugins: [everyImportOutside],
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    define: { 'import.meta.url': 'sourceModuleUrl' },
    banner: {
      js: `const sourceModuleUrl = import.meta.url.replace(${here}, ${source}).replace(/\\.js$/, '.ts');`,
    },
    logLevel: 'warning',
  });
  return files.length;
}
