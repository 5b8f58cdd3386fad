import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startDevServer } from '../../scripts/lib/dev-server.ts';
import { ensureTemporalCli } from '../../scripts/lib/temporal-cli.ts';

test('the dev server hands its Web UI the remote codec endpoint', async () => {
  const cliPath = await ensureTemporalCli({ log: () => undefined });
  const uiCodecEndpoint = 'http://localhost:8380/codec';
  const server = await startDevServer({ cliPath, uiCodecEndpoint });
  try {
    assert.ok(server.uiUrl);
    const settings = (await (await fetch(`${server.uiUrl}/api/v1/settings`)).json()) as {
      Codec: { Endpoint: string };
    };
    assert.equal(settings.Codec.Endpoint, uiCodecEndpoint);
  } finally {
    await server.stop();
  }
});
