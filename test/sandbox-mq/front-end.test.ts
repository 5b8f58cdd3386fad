import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { makeEstate } from './helpers.ts';

function probe(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

test('bank front ends listen on TCP and close while the network is down', async () => {
  const estate = await makeEstate(['ICBC', 'ABC']);
  const endOf = (bank: string) => {
    const found = estate.channels.findEnd('QM.CZ', `CZ.TO.${bank}`);
    assert.ok(found);
    return found.link.target;
  };
  const icbc = endOf('ICBC');
  const abc = endOf('ABC');
  assert.equal(await probe(icbc.host, icbc.port), false, 'nothing listens before listen()');
  await estate.listen();
  try {
    assert.equal(await probe(icbc.host, icbc.port), true);
    await estate.setNetworkDown('ICBC', true);
    assert.equal(await probe(icbc.host, icbc.port), false);
    assert.equal(await probe(abc.host, abc.port), true);
    await estate.setNetworkDown('ICBC', false);
    assert.equal(await probe(icbc.host, icbc.port), true);
  } finally {
    await estate.close();
  }
  assert.equal(await probe(abc.host, abc.port), false);
});
