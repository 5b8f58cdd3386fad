/**
 * `npm test`: the whole suite. Installs the Temporal CLI when missing, starts one in-memory
 * Temporal dev server for the run with a namespace per test file, builds the project once for the
 * processes the tests start and the bundles their workers load (scripts/lib/test-build.ts), runs
 * every `test/**\/*.test.ts` file with node's test runner — compiled in that build, several files at
 * a time, each in a process of its own, the longest first — stops the server, and ends with the ten slowest files
 * (wall and CPU time), the CPU time of all files, of the server and of the whole run, and every
 * failed test with the first lines of its error; every file's times go to data/test-times.tsv.
 *   npm test                        everything
 *   npm test -- test/unit           only files under the given paths
 *   npm test -- --seed 42           another seed for the generated tests (JINCAI_TEST_SEED)
 *   npm test -- --concurrency 1     one file at a time (default: three per core)
 * With JINCAI_TEST_TEMPORAL_ADDRESS (and JINCAI_TEST_TEMPORAL_TLS) already set, the tests run
 * against that server instead, one file at a time in its `default` namespace: `npm run cluster --
 * test` points them at the real cluster.
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultPayloadKeysEnv, generatePayloadKeys } from '../connectors/codec/payload-keys.ts';
import { projectRoot } from '../temporal.config.ts';
import { argumentsOk, commandLine } from './lib/check-args.ts';
import { projectSearchAttributes, startDevServer } from './lib/dev-server.ts';
import { ensureChromium } from './lib/chromium.ts';
import { ensureSshd } from './lib/sshd.ts';
import { ensureTemporalCli } from './lib/temporal-cli.ts';
import { runTestFiles } from './lib/run-test-files.ts';
import { fileTimesTable } from './lib/slowest-test-files.ts';
import { inStartOrder } from './lib/test-order.ts';
import { namespacePerFileEnv, sharedServerDynamicConfig, testFileNamespace } from './lib/test-namespaces.ts';
import { processCpuSeconds } from './lib/test-file-cpu.ts';
import { buildForTests } from './lib/test-build.ts';
import { testBuildEnv } from './lib/test-build-layout.ts';

/**
 * A file still running after this has hung — a server or process it left open keeps it alive —
 * and is failed rather than waited for: CI ends either way.
 */
const fileTimeoutMs = 15 * 60_000;

/** Every file's wall and CPU time of the last run, slowest first (git-ignored, as all of data/). */
const timesFile = join(projectRoot, 'data', 'test-times.tsv');

function testFiles(path: string): string[] {
  if (statSync(path).isFile()) return path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(path)
    .sort()
    .flatMap((entry) => (entry === 'node_modules' ? [] : testFiles(join(path, entry))));
}

const { args, checkOnly } = commandLine();
const { values: options, positionals: roots } = parseArgs({
  args,
  allowPositionals: true,
  options: { seed: { type: 'string' }, concurrency: { type: 'string' } },
});
if (options.seed !== undefined && !/^\d+$/.test(options.seed)) {
  console.error(`--seed: expected a whole number, got "${options.seed}"`);
  process.exit(2);
}
if (options.concurrency !== undefined && !/^[1-9]\d*$/.test(options.concurrency)) {
  console.error(`--concurrency: expected a number of files from 1, got "${options.concurrency}"`);
  process.exit(2);
}
const given = process.env.JINCAI_TEST_TEMPORAL_ADDRESS;
if (given && options.concurrency !== undefined && options.concurrency !== '1') {
  console.error(
    `--concurrency: a given Temporal server (JINCAI_TEST_TEMPORAL_ADDRESS) runs one file at a time: ` +
      `its files share the default namespace`,
  );
  process.exit(2);
}
// Most of a test file's time is spent waiting (on Temporal, on timers, heartbeat timeouts, child
// processes): since the files run compiled, four at a time left the run waiting on them rather than
// on the cores (their wall times summed 3,180 s, 800 s over four slots, with 1,270 s of CPU), so
// three files per core.
const concurrency = given ? 1 : Number(options.concurrency ?? 3 * availableParallelism());
const files = inStartOrder(
  (roots.length > 0 ? roots : ['test']).flatMap((r) => testFiles(resolve(projectRoot, r))),
);
if (files.length === 0) {
  console.error(`No test files under ${roots.join(', ') || 'test'}`);
  process.exit(1);
}
if (checkOnly) {
  console.log(
    argumentsOk(
      `run ${files.length} test file(s), ${concurrency} at a time${options.seed ? `, with seed ${options.seed}` : ''}`,
    ),
  );
  process.exit(0);
}

const started = Date.now();
const cliPath = await ensureTemporalCli({ log: (line) => console.log(line) });
// Browser tests (files named *browser*) need Chromium; install it now rather than fail late.
const chromium = files.some((f) => f.includes('browser')) ? ensureChromium() : undefined;
// The SSH host tests (files named *ssh*) start their own OpenSSH server.
if (files.some((f) => f.includes('ssh'))) ensureSshd();
// Inside the project, so the compiled files find node_modules as dist/ does.
const build = join(projectRoot, 'data', `test-build-${process.pid}`);
const [server, built] = await Promise.all([
  given
    ? { address: given, pid: undefined, stop: async () => undefined }
    : startDevServer({
        cliPath,
        uiPort: false,
        searchAttributes: projectSearchAttributes,
        extraNamespaces: files.map((f) => testFileNamespace(f)),
        dynamicConfig: sharedServerDynamicConfig,
      }),
  buildForTests(build),
]);
console.log(
  `${given ? 'Temporal server given' : 'Temporal dev server for the tests'} at ${server.address}; ` +
    `${built}; ${files.length} test files, ${concurrency} at a time ` +
    `(${((Date.now() - started) / 1000).toFixed(1)} s to get here)`,
);

// The files run in child processes of this one (node's test runner), which inherit its environment.
Object.assign(process.env, {
  JINCAI_TEST_TEMPORAL_ADDRESS: server.address,
  ...(!given && { [namespacePerFileEnv]: '1' }),
  [testBuildEnv]: build,
  ...(chromium && { CHROMIUM_PATH: chromium }),
  // One key for the run, so every test file's workers and clients read each other's payloads.
  [defaultPayloadKeysEnv]: process.env[defaultPayloadKeysEnv] || generatePayloadKeys('test-run'),
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  ...(typeof options.seed === 'string' && { JINCAI_TEST_SEED: options.seed }),
});
process.chdir(projectRoot);
const { passed, summary, times } = await runTestFiles({
  files,
  build,
  concurrency,
  timeoutMs: fileTimeoutMs,
  write: (text) => process.stdout.write(text),
});
// The server's own CPU time: what every file's runs cost it, told apart from the files'.
const serverCpu = server.pid === undefined ? undefined : processCpuSeconds(server.pid);
await server.stop();
rmSync(build, { recursive: true, force: true });
console.log(summary);
mkdirSync(dirname(timesFile), { recursive: true });
writeFileSync(timesFile, fileTimesTable(times));
console.log(`Every file's wall and CPU time: ${relative(projectRoot, timesFile)}`);
if (serverCpu !== undefined) console.log(`CPU time of the Temporal dev server: ${serverCpu.toFixed(1)} s`);
// Every process of the run has ended and been waited for: the files, the server, the build.
console.log(`CPU time of the whole run: ${(processCpuSeconds('self', true) ?? 0).toFixed(1)} s`);
console.log(`Tests ${passed ? 'passed' : 'failed'} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(passed ? 0 : 1);
