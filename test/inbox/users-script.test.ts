import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse as parseYaml, stringify } from 'yaml';
import { createLocalUserStore } from '../../connectors/users/local-store.ts';
import { defaultSiteFile, projectRoot } from '../../temporal.config.ts';
import { entryPointArgs } from '../support/test-build.ts';

let dir: string;
let siteFile: string;
let usersFile: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'jincai-users-'));
  usersFile = join(dir, 'users.json');
  const raw = parseYaml(readFileSync(defaultSiteFile, 'utf8')) as { approvals: { users: { file: string } } };
  raw.approvals.users.file = usersFile;
  siteFile = join(dir, 'site.yaml');
  writeFileSync(siteFile, stringify(raw));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function users(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...entryPointArgs('scripts/users.ts'), ...args], {
      cwd: projectRoot,
      env: { ...process.env, JINCAI_SITE: siteFile, JINCAI_NEW_PASSWORD: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? 1, out, err }));
  });
}

test('add, list and remove users; passwords are stored only as scrypt hashes, the file mode 600', async () => {
  const password = 'a-long-enough-password';
  const added = await users(['add', 'li.na', '--name', '李娜', '--roles', 'finance-approver,engineer'], {
    JINCAI_NEW_PASSWORD: password,
  });
  assert.equal(added.code, 0, added.err);
  assert.match(added.out, /Added li\.na \(李娜\) with roles finance-approver, engineer/);
  const text = readFileSync(usersFile, 'utf8');
  assert.ok(!text.includes(password), 'no plain password on disk');
  assert.match(text, /"password": "scrypt\$16384\$8\$1\$/);
  assert.equal(statSync(usersFile).mode & 0o777, 0o600);
  const store = createLocalUserStore(usersFile);
  assert.deepEqual(await store.authenticate('li.na', password), {
    id: 'li.na',
    displayName: '李娜',
    roles: ['finance-approver', 'engineer'],
  });

  const listed = await users(['list']);
  assert.equal(listed.code, 0);
  assert.match(listed.out, /li\.na\s+李娜 {2}\[finance-approver, engineer\]/);

  assert.equal((await users(['remove', 'li.na'])).code, 0);
  assert.equal(await createLocalUserStore(usersFile).get('li.na'), undefined);
  const again = await users(['remove', 'li.na']);
  assert.equal(again.code, 1);
  assert.match(again.err, /No user li\.na/);
});

test('bad usage exits 2 and names what is wrong; nothing is written', async () => {
  const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
    [
      ['add', 'wang.fang', '--roles', 'finance-approver'],
      { JINCAI_NEW_PASSWORD: 'long-enough-pw' },
      /--name is required/,
    ],
    [
      ['add', 'wang.fang', '--name', '王芳'],
      { JINCAI_NEW_PASSWORD: 'long-enough-pw' },
      /--roles is required/,
    ],
    [
      ['add', 'Wang Fang', '--name', '王芳', '--roles', 'x'],
      { JINCAI_NEW_PASSWORD: 'long-enough-pw' },
      /<id> "Wang Fang"/,
    ],
    [
      ['add', 'wang.fang', '--name', '王芳', '--roles', 'a b'],
      { JINCAI_NEW_PASSWORD: 'long-enough-pw' },
      /--roles: "a b"/,
    ],
    [
      ['add', 'wang.fang', '--name', '王芳', '--roles', 'engineer'],
      {},
      /set JINCAI_NEW_PASSWORD, or run the command in a terminal/,
    ],
    [
      ['add', 'wang.fang', '--name', '王芳', '--roles', 'engineer'],
      { JINCAI_NEW_PASSWORD: 'short' },
      /at least 10 characters/,
    ],
    [['rename', 'wang.fang'], {}, /unknown command "rename"/],
  ];
  for (const [args, env, message] of cases) {
    const r = await users(args, env);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message);
  }
  assert.equal(await createLocalUserStore(usersFile).get('wang.fang'), undefined);
});
