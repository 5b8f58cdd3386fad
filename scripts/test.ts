/**
 * `npm test`: the whole suite. Installs the Temporal CLI when missing, starts one in-memory
 * Temporal dev server for the run (tests use unique task queues and workflow ids), runs every
 * `test/**\/*.test.ts` file with node's test runner, and stops the server.
 *   npm test                      everything
 *   npm test -- test/unit         only files under the given paths
 *   npm test -- --seed 42         another seed for the generated tests (JINCAI_TEST_SEED)
 * With JINCAI_TEST_TEMPORAL_ADDRESS (and JINCAI_TEST_TEMPORAL_TLS) already set, the tests run
 * against that server instead: `npm run cluster -- test` points them at the real cluster.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultPayloadKeysEnv, generatePayloadKeys } from '../connectors/codec/payload-keys.ts';
import { projectRoot } from '../temporal.config.ts';
import { argumentsOk, commandLine } from './lib/check-args.ts';
import { projectSearchAttributes, startDevServer } from './lib/dev-server.ts';
import { ensureChromium } from './lib/chromium.ts';
import { ensureSshd } from './lib/sshd.ts';
import { ensureTemporalCli } from './lib/temporal-cli.ts';

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
  options: { seed: { type: 'string' } },
});
if (options.seed !== undefined && !/^\d+$/.test(options.seed)) {
  console.error(`--seed: expected a whole number, got "${options.seed}"`);
  process.exit(2);
}
const files = (roots.length > 0 ? roots : ['test']).flatMap((r) => testFiles(resolve(projectRoot, r)));
if (files.length === 0) {
  console.error(`No test files under ${roots.join(', ') || 'test'}`);
  process.exit(1);
}
if (checkOnly) {
  console.log(
    argumentsOk(`run ${files.length} test file(s)${options.seed ? ` with seed ${options.seed}` : ''}`),
  );
  process.exit(0);
}

const cliPath = await ensureTemporalCli({ log: (line) => console.log(line) });
// Browser tests (files named *browser*) need Chromium; install it now rather than fail late.
const chromium = files.some((f) => f.includes('browser')) ? ensureChromium() : undefined;
// The SSH host tests (files named *ssh*) start their own OpenSSH server.
if (files.some((f) => f.includes('ssh'))) ensureSshd();
const given = process.env.JINCAI_TEST_TEMPORAL_ADDRESS;
const server = given
  ? { address: given, stop: async () => undefined }
  : await startDevServer({ cliPath, uiPort: false, searchAttributes: projectSearchAttributes });
console.log(
  `${given ? 'Temporal server given' : 'Temporal dev server for the tests'} at ${server.address}; ${files.length} test files`,
);

const code = await new Promise<number>((done) => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', ...files.map((f) => relative(projectRoot, f))],
    {
      cwd: projectRoot,
      stdio: 'inherit',
      env: {
        ...process.env,
        JINCAI_TEST_TEMPORAL_ADDRESS: server.address,
        ...(chromium && { CHROMIUM_PATH: chromium }),
        // One key for the run, so every test file's workers and clients read each other's payloads.
        [defaultPayloadKeysEnv]: process.env[defaultPayloadKeysEnv] || generatePayloadKeys('test-run'),
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
        ...(typeof options.seed === 'string' && { JINCAI_TEST_SEED: options.seed }),
      },
    },
  );
  child.once('exit', (c, signal) => done(c ?? (signal ? 1 : 0)));
});
await server.stop();
process.exit(code);
