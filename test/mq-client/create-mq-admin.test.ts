import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMqAdmin } from '../../connectors/mq/create-mq-admin.ts';
import { MqwebAdmin } from '../../connectors/mq/mqweb-admin.ts';
import { RunmqscAdmin } from '../../connectors/mq/runmqsc-admin.ts';
import { MqAuthError } from '../../connectors/mq/port.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { password, startFakeMqweb, user } from './mqweb-server.ts';
import { mqwebDefineChannel } from './fixtures.ts';

const mqweb = (baseUrl: string): SiteConfig['mq'] => ({
  adapter: 'mqweb',
  financeQmgr: 'QM.CZ',
  mqweb: { baseUrl, userEnv: 'TEST_MQWEB_USER', passwordEnv: 'TEST_MQWEB_PASSWORD' },
});

test('mqweb: credentials come from the variables the site names, read when the adapter is created', async (t) => {
  const server = await startFakeMqweb(() => ({ status: 200, body: mqwebDefineChannel }));
  t.after(() => server.close());
  const env: NodeJS.ProcessEnv = {};
  assert.throws(() => createMqAdmin(mqweb(server.url), env), /TEST_MQWEB_USER/);
  env.TEST_MQWEB_USER = user;
  env.TEST_MQWEB_PASSWORD = password;
  const admin = createMqAdmin(mqweb(server.url), env);
  assert.ok(admin instanceof MqwebAdmin);
  env.TEST_MQWEB_PASSWORD = 'changed later';
  const result = await admin.runMqsc('QM.CZ', 'DEFINE CHANNEL(NEWSVRCONN) CHLTYPE(SVRCONN)');
  assert.deepEqual(result.responses[0]?.messageIds, ['AMQ8014I']);

  const wrong = createMqAdmin(mqweb(server.url), { TEST_MQWEB_USER: user, TEST_MQWEB_PASSWORD: 'nope' });
  await assert.rejects(wrong.runMqsc('QM.CZ', 'DISPLAY QMGR'), MqAuthError);
});

test('runmqsc: the configured command, runmqsc by default', () => {
  const admin = createMqAdmin(
    { adapter: 'runmqsc', financeQmgr: 'QM.CZ', runmqsc: { command: 'runmqsc -c' } },
    {},
  );
  assert.ok(admin instanceof RunmqscAdmin);
  assert.ok(createMqAdmin({ adapter: 'runmqsc', financeQmgr: 'QM.CZ' }, {}) instanceof RunmqscAdmin);
});
