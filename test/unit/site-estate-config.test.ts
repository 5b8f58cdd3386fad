import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { defaultSiteFile, parseSite, SiteConfigError } from '../../temporal.config.ts';

// The payment system's application server stays declared: its subsystem is installed there.
/** The application servers the committed site installs its payment and accounting systems on. */
const payAppHost = ['pay-app-01', 'acct-app-01', 'acct-app-02']
  .map((name) => `  - name: ${name}\n    adapter: local\n    paths: [../data/sandbox/hosts/${name}]\n`)
  .join('');

const withHosts = (extra: string, programLine = '') => {
  const text = readFileSync(defaultSiteFile, 'utf8').replace(/^hosts:[\s\S]*?\n(?=\S)/m, '');
  const icbc = /programs:\n\s+- name: 收发程序-ICBC\n(?:\s{8}.*\n)+/;
  return `${programLine ? text.replace(icbc, `${programLine}\n`) : text}\nhosts:\n${extra}${payAppHost}`;
};

const problems = (text: string) => {
  try {
    parseSite(text, '/etc/jincai/site.yaml');
  } catch (err) {
    if (err instanceof SiteConfigError) return err.problems;
    throw err;
  }
  return [];
};

const sshHost = `  - name: comm-01
    adapter: ssh
    address: 10.0.0.5
    user: jincai
    privateKeyEnv: JINCAI_SSH_KEY
    knownHosts: ['comm-01 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE7vLJ3xLmNFlqTJPXu8pQ9ZXrBN8S8VxKsTmOJVRTq2']
    paths: [/opt/czzf]
`;

test('a program on an SSH host keeps its remote paths; local paths resolve against the site file', () => {
  const site = parseSite(
    withHosts(
      sshHost,
      'programs: [{ name: 收发程序-ICBC, host: comm-01, pidFile: /opt/czzf/run/sr.pid, logFile: /opt/czzf/logs/sr.log, start: { argv: [/opt/czzf/bin/start-sr.sh, ICBC], cwd: /opt/czzf } }]',
    ),
    '/etc/jincai/site.yaml',
  );
  const icbc = site.banks.find((b) => b.code === 'ICBC')!;
  assert.deepEqual(icbc.programs[0], {
    name: '收发程序-ICBC',
    host: 'comm-01',
    pidFile: '/opt/czzf/run/sr.pid',
    logFile: '/opt/czzf/logs/sr.log',
    start: { argv: ['/opt/czzf/bin/start-sr.sh', 'ICBC'], cwd: '/opt/czzf' },
  });
  const abc = site.banks.find((b) => b.code === 'ABC')!;
  assert.equal(
    (abc.programs[0] as { pidFile: string }).pidFile,
    '/etc/data/sandbox/run/send-receive-ABC.pid',
  );
  assert.equal(site.hosts.find((h) => h.name === 'comm-01')?.adapter, 'ssh');
});

test('hosts and programs that do not hold together are refused naming the path', () => {
  const found = problems(
    withHosts(
      `${sshHost}  - name: comm-01
    adapter: local
  - name: db-01
    adapter: ssh
    address: 10.0.0.6
    user: Root
    knownHosts: ['not a key']
`,
      'programs: [{ name: sr, host: comm-01, pidFile: run/sr.pid, after: [sr] }, { name: x, host: nowhere, systemdUnit: "x; reboot" }]',
    ),
  );
  for (const expected of [
    /^hosts\[1\]\.name: duplicate or reserved host name comm-01$/,
    /^hosts\[2\]\.user: a Unix user name$/,
    /^hosts\[2\]\.knownHosts\[0\]: a known_hosts line/,
    /^hosts\[2\]\.privateKeyEnv: exactly one of privateKeyEnv and privateKeyFile$/,
    /^banks\[0\]\.programs\[1\]\.systemdUnit: a systemd unit name/,
  ])
    assert.ok(
      found.some((p) => expected.test(p)),
      `${expected} in:\n${found.join('\n')}`,
    );
  const refs = problems(
    withHosts(
      sshHost,
      'programs: [{ name: sr, host: comm-01, pidFile: run/sr.pid, after: [sr] }, { name: x, host: nowhere, systemdUnit: x.service }]',
    ),
  );
  for (const expected of [
    /^banks\[0\]\.programs\[0\]\.pidFile: on an SSH host a path must be an absolute path/,
    /^banks\[0\]\.programs\[0\]\.after\[0\]: no other program named sr in this list$/,
    /^banks\[0\]\.programs\[1\]\.host: no host named nowhere; declared: comm-01, pay-app-01, acct-app-01, acct-app-02$/,
  ])
    assert.ok(
      refs.some((p) => expected.test(p)),
      `${expected} in:\n${refs.join('\n')}`,
    );
});

test('the sandbox site describes its subsystems: kind, programs, ports, health, schema, version, who answers', () => {
  const site = parseSite(readFileSync(defaultSiteFile, 'utf8'), defaultSiteFile);
  assert.deepEqual(
    site.subsystems.map((s) => s.kind),
    [
      'budget-exchange',
      'procurement-push',
      'payroll',
      'official-card',
      'user-accounts',
      'bank-accounts',
      'fund-application',
      'accounting',
      'payment',
    ],
  );
  const exchange = site.subsystems[0]!;
  assert.equal(exchange.exchange?.division, '330127');
  assert.deepEqual(exchange.answeredBy, {
    roles: ['comm-approver', 'finance-approver'],
    notify: ['sandbox-file'],
  });
  assert.match(
    (exchange.programs[0] as { pidFile: string }).pidFile,
    /^\/.*\/data\/sandbox\/run\/budget-exchange\.pid$/,
  );
  const accounting = site.subsystems.find((s) => s.id === 'accounting')!;
  assert.equal(accounting.version, '5.1.4');
  assert.equal(accounting.database?.schema, 'JCZF_ACCT');
  assert.equal(accounting.database?.schemaVersion, '33');
  assert.match(
    JSON.stringify(accounting.database?.store),
    /\/data\/sandbox\/hosts\/acct-app-01\/db\/accounting\.db"/,
  );
  assert.deepEqual(
    accounting.migrationTargets.map((t) => [t.host, t.ports[0]?.port, t.database.adapter]),
    [['acct-app-02', 9187, 'sqlite']],
  );
  assert.equal(accounting.health?.timeoutMs, 3000);
});

test('a subsystem that does not hold together is refused naming the path', () => {
  const text = readFileSync(defaultSiteFile, 'utf8');
  const shape = problems(
    text
      .replace('kind: user-accounts', 'kind: mainframe')
      .replace(
        "procurement: { cloudUrl: 'http://127.0.0.1:9080/zcy', maxAttempts: 3 }",
        'payroll: { bank: ICBC }',
      )
      .replace('database: { schema: JCZF_GWK }', "database: { schema: 'JCZF GWK' }"),
  );
  for (const expected of [
    /^subsystems\[4\]\.kind: Invalid option/,
    /^subsystems\[1\]\.procurement: required for kind procurement-push$/,
    /^subsystems\[1\]\.payroll: only for kind payroll$/,
    /^subsystems\[3\]\.database\.schema: a schema name/,
  ])
    assert.ok(
      shape.some((p) => expected.test(p)),
      `${expected} in:\n${shape.join('\n')}`,
    );
  const refs = problems(
    text
      .replace('id: bank-accounts', 'id: user-accounts')
      .replace('payroll: { bank: ICBC }', 'payroll: { bank: HSBC }')
      .replace(
        'answeredBy: { roles: [finance-approver], notify: [sandbox-file] }\n    payroll',
        'answeredBy: { roles: [finance-approver], notify: [wecom-ops] }\n    payroll',
      )
      .replace(
        '    hosts: [local]\n    programs:\n      - name: 银行账户管理服务',
        '    hosts: [bam-01]\n    programs:\n      - name: 银行账户管理服务',
      ),
  );
  for (const expected of [
    /^subsystems\[5\]\.id: duplicate subsystem id user-accounts$/,
    /^subsystems\[2\]\.payroll\.bank: unknown bank code HSBC$/,
    /^subsystems\[2\]\.answeredBy\.notify\[0\]: no notify target named wecom-ops; named targets: sandbox-file$/,
    /^subsystems\[5\]\.hosts\[0\]: no host named bam-01; declared: local, pay-app-01, acct-app-01, acct-app-02$/,
  ])
    assert.ok(
      refs.some((p) => expected.test(p)),
      `${expected} in:\n${refs.join('\n')}`,
    );
});
