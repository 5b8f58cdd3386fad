/**
 * Labels stay few whatever the traffic: an MQSC command is labelled by its verb and object type,
 * never its object's name; an inbox request by its route's pattern, never the run in its path.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mqscVerb } from '../../connectors/mq/metered-mq-admin.ts';
import { routeOf } from '../../inbox/metrics.ts';

test('an MQSC command is labelled by its verb and object type', () => {
  assert.equal(mqscVerb('DISPLAY CHSTATUS(CZ.TO.ICBC) ALL'), 'DISPLAY CHSTATUS');
  assert.equal(mqscVerb('reset channel(CZ.TO.CCB) SEQNUM(1206)'), 'RESET CHANNEL');
  assert.equal(mqscVerb('PING CHANNEL(CZ.TO.BOC)'), 'PING CHANNEL');
  assert.equal(mqscVerb('  STOP CHANNEL(CZ.TO.ICBC) MODE(QUIESCE)'), 'STOP CHANNEL');
  assert.equal(mqscVerb('DISPLAY'), 'OTHER');
  assert.equal(mqscVerb("DISPLAY QLOCAL('X') 你好"), 'DISPLAY QLOCAL');
  assert.equal(mqscVerb('X.Y Z'), 'OTHER');
});

test("an inbox request is labelled by its route's pattern", () => {
  const id = encodeURIComponent('channel-recovery/CZ.TO.ICBC/2026-11-27');
  const cases: [string, string][] = [
    ['/', '/'],
    ['/login', '/login'],
    [`/approvals/${id}`, '/approvals/:id'],
    [`/approvals/${id}/decision`, '/approvals/:id/decision'],
    [`/approvals/${id}/claim`, '/approvals/:id/claim'],
    [`/api/approvals/${id}`, '/api/approvals/:id'],
    [`/api/approvals/${id}/decision`, '/api/approvals/:id/decision'],
    [`/paused/${id}`, '/paused/:id'],
    [`/api/paused/${id}/decision`, '/api/paused/:id/decision'],
    ['/api/paused', '/api/paused'],
    ['/start/voucher-resend', '/start/:runbook'],
    ['/codec/decode', '/codec'],
    ['/temporal/namespaces/default/workflows', '/temporal'],
    ['/temporal/api/v1/namespaces', '/temporal/api'],
    ['/wp-admin.php', 'other'],
  ];
  for (const [path, route] of cases) assert.equal(routeOf(path, '/temporal'), route, path);
});
