/**
 * The production worker the benchmarks start: the build (`npm run build`: compiled JavaScript and
 * the prebuilt workflow bundle in dist/), reused while it is newer than every source file and
 * built afresh otherwise, so a benchmark never measures yesterday's code; and Node's options and
 * environment as the systemd unit starts it (deploy/systemd/jincai-worker@.service).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../temporal.config.ts';
import { workflowBundleFile } from '../../workers/prebuilt-bundle.ts';

const dist = join(projectRoot, 'dist');
/** Not sources of the build: dependencies, state, the build itself, tests. */
const skipped = new Set(['node_modules', 'data', 'dist', 'test', 'reports', '.temporal', '.git']);

/** The compiled worker entry point, after building when dist/ is missing or older than a source file. */
export function productionWorkerEntry(log: (line: string) => void): string {
  const entry = join(dist, 'workers', 'main.js');
  const bundle = join(dist, workflowBundleFile);
  const builtAt = existsSync(entry) && existsSync(bundle) ? statSync(bundle).mtimeMs : 0;
  const newest = newestSource(projectRoot);
  if (builtAt > newest) {
    log(`production worker: ${entry} (built after the last source change)`);
    return entry;
  }
  log('production worker: building dist/ (npm run build)…');
  const built = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], {
    cwd: projectRoot,
    stdio: 'inherit',
  });
  if (built.status !== 0) throw new Error(`npm run build failed (exit ${built.status ?? built.signal})`);
  return entry;
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skipped.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.(ts|json)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * How the worker unit starts node: the options of its ExecStart before the entry point, and its
 * Environment. With BENCH_CPU_PROF=<dir> the worker also writes a V8 CPU profile there when it
 * stops (Node refuses --cpu-prof in NODE_OPTIONS).
 */
export function productionWorkerLaunch(): { nodeOptions: string[]; env: Record<string, string> } {
  const unit = readFileSync(join(projectRoot, 'deploy', 'systemd', 'jincai-worker@.service'), 'utf8');
  const words = /^ExecStart=(.*)$/m.exec(unit)?.[1]?.trim().split(/\s+/) ?? [];
  const entry = words.indexOf('dist/workers/main.js');
  if (entry < 1) throw new Error('the worker unit starts no dist/workers/main.js');
  const assignments = [...unit.matchAll(/^Environment=(.*)$/gm)].flatMap(
    (m) => m[1]?.trim().split(/\s+/) ?? [],
  );
  const profile = process.env.BENCH_CPU_PROF;
  return {
    nodeOptions: [...words.slice(1, entry), ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [])],
    env: Object.fromEntries(
      assignments.map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]),
    ),
  };
}
