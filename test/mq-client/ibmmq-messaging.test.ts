import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { IbmmqMessaging, MqClientLibraryMissingError } from '../../connectors/mq/ibmmq-messaging.ts';
import { MqConfigError, MqInvalidNameError } from '../../connectors/mq/errors.ts';

test('importing the adapter does not load the native MQ library', async () => {
  const messaging = new IbmmqMessaging();
  await messaging.close();
  assert.ok(messaging instanceof IbmmqMessaging);
});

test('without the IBM MQ client libraries: a clear error saying how to install them', async (t) => {
  if (existsSync('/opt/mqm/lib64/libmqm_r.so')) {
    t.skip('an IBM MQ client is installed on this machine');
    return;
  }
  const messaging = new IbmmqMessaging();
  await assert.rejects(messaging.put('QM.CZ', 'PAY.TO.ICBC', '{"head":{}}'), (err) => {
    assert.ok(err instanceof MqClientLibraryMissingError);
    assert.ok(err instanceof MqConfigError, 'a configuration problem, not worth retrying');
    assert.match(err.message, /IBM MQ client libraries are not installed/);
    assert.match(err.message, /\/opt\/mqm/);
    assert.match(err.message, /mqweb/);
    assert.match(err.message, /libmqm/, 'names what the loader could not find');
    assert.ok(err.cause instanceof Error, 'keeps the loader error as cause');
    return true;
  });
});

test('the same error when the loader fails, and a later call tries to load again', async () => {
  let attempts = 0;
  const messaging = new IbmmqMessaging({
    load: async () => {
      attempts += 1;
      throw new Error('/opt/mqm/lib64/libmqm_r.so: cannot open shared object file');
    },
  });
  await assert.rejects(messaging.get('QM.CZ', 'PAY.FROM.ICBC'), MqClientLibraryMissingError);
  await assert.rejects(messaging.get('QM.CZ', 'PAY.FROM.ICBC'), /cannot open shared object file/);
  assert.equal(attempts, 2);
});

test('names and ids are checked before anything is loaded', async () => {
  let loaded = false;
  const messaging = new IbmmqMessaging({
    load: async () => {
      loaded = true;
      return {};
    },
  });
  await assert.rejects(messaging.put('QM.CZ', 'PAY.TO.ICBC) X', 'x'), MqInvalidNameError);
  await assert.rejects(messaging.get('QM.CZ', 'PAY.FROM.ICBC', { correlationId: 'abc' }), MqInvalidNameError);
  assert.equal(loaded, false);
});
