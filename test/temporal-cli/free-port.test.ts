// Free-port helpers used to place the dev server and test servers.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, freePorts, isPortFree } from '../../scripts/lib/free-port.ts';

describe('free ports', () => {
  it('finds a port that is free, and sees it taken while something listens on it', async () => {
    const port = await freePort();
    assert.ok(port > 0 && port < 65536);
    assert.equal(await isPortFree(port), true);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      assert.equal(await isPortFree(port), false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    assert.equal(await isPortFree(port), true);
  });

  it('hands out distinct ports in one call, and none again in the next', async () => {
    const ports = await freePorts(5);
    assert.equal(new Set(ports).size, 5);
    const next = await freePorts(5);
    assert.deepEqual(
      next.filter((p) => ports.includes(p)),
      [],
    );
  });

  it("never hands out a port of the kernel's ephemeral range, where outgoing connections take theirs", async () => {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    for (const port of await freePorts(50)) assert.ok(port < Number(low), `${port} is below ${low}`);
  });
});
