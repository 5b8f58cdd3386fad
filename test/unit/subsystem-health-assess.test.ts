import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ExchangeClientStatus } from '../../domain/exchange-protocol.ts';
import { assessSubsystem } from '../../domain/runbooks/subsystem-health.assess.ts';
import type { SubsystemExpected, SubsystemLook } from '../../domain/runbooks/subsystem-health.types.ts';

const judging = { now: '2026-11-27T03:00:00.000Z', uplinkBacklogMinutes: 30 };
const app: SubsystemExpected = {
  id: 'accounting',
  kind: 'accounting',
  name: '会计核算系统',
  version: '5.1.4',
  schemaVersion: '33',
  upgradable: false,
};
const healthy = (body: unknown, ok = true): SubsystemLook => ({
  id: 'accounting',
  programs: [{ name: '会计核算服务', running: true, detail: 'pid 7 is running' }],
  ports: [{ host: '127.0.0.1', port: 9184, reachable: true }],
  health: { url: 'http://127.0.0.1:9184/health', ok, status: ok ? 200 : 503, body },
});
const okBody = { status: 'ok', version: '5.1.4', database: { state: 'ok', schemaVersion: '33' } };
const codes = (h: ReturnType<typeof assessSubsystem>) =>
  h.findings.map((f) => [f.check, f.code, f.fixRunbook ?? 'person']);

test('a healthy application server is green on every check it has', () => {
  const h = assessSubsystem(app, healthy(okBody), {}, judging);
  assert.equal(h.light, 'green');
  assert.deepEqual(h.checks, {
    programs: 'green',
    ports: 'green',
    health: 'green',
    version: 'green',
    database: 'green',
  });
});

test('a dead process is the one finding, fixed by program restart; its port and health are not judged', () => {
  const look = healthy(undefined, false);
  look.programs[0] = {
    name: '会计核算服务',
    running: false,
    detail: 'pid 7 is not running (stale pid file)',
  };
  look.ports[0] = { host: '127.0.0.1', port: 9184, reachable: false };
  const h = assessSubsystem(app, look, {}, judging);
  assert.deepEqual(codes(h), [['programs', 'SUBSYSTEM_PROGRAM_DEAD', 'program-restart']]);
  assert.equal(h.checks.ports, 'skipped');
});

test('unhealthy, database unreachable, version and schema mismatches each name their check and fix', () => {
  assert.deepEqual(
    codes(
      assessSubsystem(app, healthy({ ...okBody, status: 'unhealthy', reason: '积压' }, false), {}, judging),
    ),
    [['health', 'SUBSYSTEM_UNHEALTHY', 'program-restart']],
  );
  const noDb = { ...okBody, database: { state: 'unreachable', error: 'no such file' } };
  assert.deepEqual(codes(assessSubsystem(app, healthy(noDb, false), {}, judging)), [
    ['database', 'SUBSYSTEM_DB_UNREACHABLE', 'person'],
  ]);
  const other = { ...okBody, version: '5.0.9', database: { state: 'ok', schemaVersion: '32' } };
  assert.deepEqual(codes(assessSubsystem(app, healthy(other), {}, judging)), [
    ['version', 'SUBSYSTEM_VERSION_MISMATCH', 'person'],
    ['database', 'SCHEMA_VERSION_MISMATCH', 'person'],
  ]);
  assert.deepEqual(
    codes(assessSubsystem({ ...app, upgradable: true }, healthy(other), {}, judging)).map((c) => c[2]),
    ['version-upgrade', 'version-upgrade'],
  );
});

const exchange: SubsystemExpected = {
  id: 'budget-exchange',
  kind: 'budget-exchange',
  name: '交换客户端',
  upgradable: false,
  certificateWarnDays: 30,
};
const status = (over: Partial<ExchangeClientStatus> = {}): ExchangeClientStatus => ({
  client: 'x',
  version: '2026.1',
  pid: 9,
  division: '330127',
  startedAt: '2026-11-27T02:00:00.000Z',
  lastCycleAt: '2026-11-27T02:59:59.000Z',
  cycles: 100,
  intervalMs: 1000,
  lastError: null,
  certificate: {
    subject: 'OU=330127',
    issuer: 'CA',
    serialNumber: '01',
    notBefore: '',
    notAfter: '2028-11-27T00:00:00.000Z',
    daysLeft: 730,
  },
  queues: {
    '5201': {
      up: { pending: 0, replay: 0, delivered: 5, failed: 0 },
      down: { received: 0, confirmed: 3, failed: 0, replay: 0 },
      oldestUpAt: null,
    },
  },
  ...over,
});
const client = (s: ExchangeClientStatus, moving = true): SubsystemLook => ({
  id: 'budget-exchange',
  programs: [{ name: '交换客户端', running: true, detail: 'running' }],
  ports: [],
  health: { url: 'http://127.0.0.1:9185/status', ok: true, status: 200, body: s },
  moving,
});

test('the exchange client: hung, refused for its signature, its certificate, its backlogs — each for exchange recovery', () => {
  assert.deepEqual(codes(assessSubsystem(exchange, client(status()), {}, judging)), []);
  assert.deepEqual(codes(assessSubsystem(exchange, client(status(), false), {}, judging)), [
    ['work', 'EXCHANGE_CLIENT_HUNG', 'exchange-recovery'],
  ]);
  const refused = status({ lastError: { at: '', message: 'refused', code: 'SIGNATURE_INVALID' } });
  assert.deepEqual(codes(assessSubsystem(exchange, client(refused), {}, judging)), [
    ['work', 'EXCHANGE_PLATFORM_REFUSES', 'exchange-recovery'],
  ]);
  const cert = status({ certificate: { ...status().certificate!, daysLeft: 10 } });
  const expiring = assessSubsystem(exchange, client(cert), {}, judging);
  assert.deepEqual(codes(expiring), [['work', 'EXCHANGE_CERTIFICATE_EXPIRING', 'exchange-recovery']]);
  assert.equal(expiring.light, 'yellow');
  const busy = status({
    lastError: { at: '', message: 'busy', code: 'PLATFORM_BUSY' },
    queues: {
      '5201': {
        up: { pending: 12, replay: 0, delivered: 0, failed: 0 },
        down: { received: 0, confirmed: 0, failed: 3, replay: 0 },
        oldestUpAt: '2026-11-27T02:58:00.000Z',
      },
    },
  });
  assert.deepEqual(codes(assessSubsystem(exchange, client(busy), {}, judging)), [
    ['work', 'EXCHANGE_UPLINK_BACKLOG', 'exchange-recovery'],
    ['work', 'EXCHANGE_DOWNLINK_FAILED', 'exchange-recovery'],
  ]);
  const dead = { ...client(status()), programs: [{ name: '交换客户端', running: false, detail: 'stale' }] };
  assert.deepEqual(codes(assessSubsystem(exchange, dead, {}, judging)), [
    ['programs', 'EXCHANGE_CLIENT_DEAD', 'exchange-recovery'],
  ]);
});

test('the work the treasury holds: pushes, payroll, card repayments, each for its runbook', () => {
  const none: SubsystemLook = { id: 'x', programs: [], ports: [] };
  const kind = (k: SubsystemExpected['kind']): SubsystemExpected => ({
    id: 'x',
    kind: k,
    name: k,
    upgradable: false,
  });
  assert.deepEqual(
    codes(
      assessSubsystem(
        kind('procurement-push'),
        none,
        { procurement: { failed: 3, refused: 1, unreached: 2, oldestFailedAt: '' } },
        judging,
      ),
    ),
    [
      ['work', 'PROCUREMENT_PUSH_FAILED', 'procurement-push-retry'],
      ['work', 'PROCUREMENT_PUSH_REFUSED', 'procurement-payment-check'],
    ],
  );
  assert.deepEqual(
    codes(
      assessSubsystem(
        kind('payroll'),
        none,
        {
          payroll: {
            stalled: [{ batchNo: 'GZ1', pendingLines: 6, since: '' }],
            failed: [{ batchNo: 'GZ2', lines: 3 }],
          },
        },
        judging,
      ),
    ),
    [
      ['work', 'PAYROLL_BATCH_STALLED', 'payroll-watch'],
      ['work', 'PAYROLL_LINES_FAILED', 'payroll-watch'],
    ],
  );
  const card = assessSubsystem(
    kind('official-card'),
    none,
    { officialCard: { stuck: [{ bank: 'CCB', count: 2, oldestSentAt: '2026-11-27T02:15:00.000Z' }] } },
    judging,
  );
  assert.deepEqual(codes(card), [['work', 'OFFICIAL_CARD_STUCK', 'official-card-check']]);
  assert.equal(card.light, 'red');
  // People read findings: a time is told relative to the look (no time zone to get wrong), never an instant.
  assert.match(card.findings[0]?.summary ?? '', /最早一笔发于 45 分钟前/);
});
