import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkInput } from '../../domain/errors.ts';
import { decideRestart, restartPlan, whyStopped } from '../../domain/runbooks/program-restart.plan.ts';
import {
  programRestartInputSchema,
  type ProgramLook,
  type ProgramTarget,
} from '../../domain/runbooks/program-restart.types.ts';

const program = (name: string, after: string[] = [], startable = true) => ({
  name,
  host: 'app-01',
  after,
  startable,
});
const target: ProgramTarget = {
  kind: 'subsystem',
  id: 'accounting',
  name: '会计核算系统',
  programs: [
    program('db-proxy'),
    program('service', ['db-proxy']),
    program('batch', ['service']),
    program('web'),
  ],
};
const look = (name: string, running: boolean, logTail: string[] = []): ProgramLook => ({
  name,
  host: 'app-01',
  running,
  ...(running ? { pid: 100 } : { pid: 99 }),
  detail: running ? 'pid 100 is running' : `pid 99 from /run/${name}.pid is not running (stale pid file)`,
  logTail,
});
const all = (down: string[]) => target.programs.map((p) => look(p.name, !down.includes(p.name)));

test('nothing to restart when every program runs', () => {
  assert.equal(decideRestart(target, all([])).kind, 'running');
});

test('a program down is started, and the running programs declared after it are stopped first and started after it', () => {
  const d = decideRestart(target, all(['db-proxy']));
  assert.equal(d.kind, 'restart');
  assert.deepEqual(d.kind === 'restart' && { stop: d.stop, start: d.start }, {
    stop: ['batch', 'service'],
    start: ['db-proxy', 'service', 'batch'],
  });
  const web = decideRestart(target, all(['web']));
  assert.deepEqual(web.kind === 'restart' && [web.stop, web.start], [[], ['web']]);
});

test('a program the input names is restarted even while it runs (a hung one)', () => {
  const d = decideRestart(target, all([]), 'batch');
  assert.deepEqual(d.kind === 'restart' && [d.stop, d.start], [['batch'], ['batch']]);
});

test('a program with no declared way to start it goes to a person', () => {
  const bare: ProgramTarget = { ...target, programs: [program('manual', [], false)] };
  const d = decideRestart(bare, [look('manual', false)]);
  assert.equal(d.kind, 'not-startable');
  assert.deepEqual(d.kind === 'not-startable' && d.programs, ['manual']);
});

test('why a program stopped: a stale pid file is a crash, an absent one a stop; the last log line is quoted', () => {
  assert.match(
    whyStopped(look('web', false, ['started', 'FATAL out of memory', ''])),
    /异常终止.*FATAL out of memory$/,
  );
  assert.match(
    whyStopped({ ...look('web', false), detail: 'pid file /run/web.pid is absent', logTail: [] }),
    /正常停止或从未启动；无日志/,
  );
});

test('the plan lists the stops then the starts as host actions, with the log lines of each program down', () => {
  const looks = all(['db-proxy']).map((l) => (l.running ? l : { ...l, logTail: ['line 1', 'line 2'] }));
  const d = decideRestart(target, looks);
  assert.equal(d.kind, 'restart');
  if (d.kind !== 'restart') return;
  const plan = restartPlan(target, looks, d, '巡检发现');
  assert.deepEqual(
    plan.actions.map((a) => `${a.kind} ${a.target} ${a.command}`),
    [
      'host app-01 STOP batch',
      'host app-01 STOP service',
      'host app-01 START db-proxy',
      'host app-01 START service',
      'host app-01 START batch',
    ],
  );
  assert.ok(plan.findings.some((f) => f.zh.includes('db-proxy 最后 2 行日志：\nline 1\nline 2')));
  assert.equal(plan.bank, undefined);
});

test('the input names exactly one of a bank and a subsystem', () => {
  const problems = (input: unknown) => {
    const checked = checkInput(programRestartInputSchema, input);
    return checked.ok ? [] : checked.problems;
  };
  assert.deepEqual(problems({ bank: 'BOC', requestedBy: 'zhang.san' }), []);
  assert.match(
    problems({ requestedBy: 'zhang.san' }).join(),
    /input\.bank: give exactly one of bank and subsystem/,
  );
  assert.match(
    problems({ bank: 'BOC', subsystem: 'payroll', requestedBy: 'zhang.san' }).join(),
    /input\.bank: give exactly one/,
  );
});
