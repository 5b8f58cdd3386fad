// The real Temporal dev server: search attributes registered at start, data kept in the SQLite
// file across a restart, and clear errors when the server dies or never serves.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { defineSearchAttributeKey } from '@temporalio/common';
import {
  DevServerStartError,
  ensureSearchAttributes,
  projectSearchAttributes,
  startDevServer,
} from '../../scripts/lib/dev-server.ts';
import type { DevServerHandle } from '../../scripts/lib/dev-server.ts';
import { isPortFree } from '../../scripts/lib/free-port.ts';
import { ensureTemporalCli } from '../../scripts/lib/temporal-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'dev-server-test-'));
const running: DevServerHandle[] = [];
after(async () => {
  await Promise.all(running.map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

// temporal.api.enums.v1.IndexedValueType numbers, as listSearchAttributes returns them.
const indexedValueType = {
  Text: 1,
  Keyword: 2,
  Int: 3,
  Double: 4,
  Bool: 5,
  Datetime: 6,
  KeywordList: 7,
} as const;
const RunbookKey = defineSearchAttributeKey('Runbook', 'KEYWORD');

describe('startDevServer', () => {
  it(
    'registers the project search attributes and keeps data in dbFile across a restart',
    { timeout: 180_000 },
    async () => {
      const cliPath = await ensureTemporalCli({ log: (line) => console.error(line) });
      const options = {
        cliPath,
        dbFile: join(dir, 'data', 'temporal.sqlite'),
        namespace: 'jincai-test',
        searchAttributes: projectSearchAttributes,
        logFile: join(dir, 'server.log'),
      };

      const first = await startDevServer({ ...options, uiPort: false });
      running.push(first);
      assert.match(first.address, /^127\.0\.0\.1:\d+$/);
      assert.equal(first.uiUrl, undefined);
      let connection = await Connection.connect({ address: first.address });
      const { customAttributes } = await connection.operatorService.listSearchAttributes({
        namespace: 'jincai-test',
      });
      for (const [name, type] of Object.entries(projectSearchAttributes)) {
        assert.equal(customAttributes?.[name], indexedValueType[type], `search attribute ${name} as ${type}`);
      }

      // No worker polls this queue, so the workflow stays Running until the server forgets it.
      const workflowId = `dev-server-test/${Date.now()}`;
      let client = new Client({ connection, namespace: 'jincai-test' });
      await client.workflow.start('noWorkerForThis', {
        taskQueue: 'nobody-listens',
        workflowId,
        typedSearchAttributes: [{ key: RunbookKey, value: 'dev-server-test' }],
      });
      await connection.close();
      await first.stop();
      assert.equal(await isPortFree(Number(first.address.split(':')[1])), true, 'port released after stop()');

      const second = await startDevServer(options);
      running.push(second);
      assert.ok(second.uiUrl, 'the Web UI is on by default');
      connection = await Connection.connect({ address: second.address });
      // A newer project version's attribute reaches an existing database through ensureSearchAttributes.
      const newer = { ...projectSearchAttributes, JincaiTestExtra: 'KeywordList' as const };
      assert.deepEqual(await ensureSearchAttributes(connection, 'jincai-test', newer), ['JincaiTestExtra']);
      assert.deepEqual(await ensureSearchAttributes(connection, 'jincai-test', newer), []);
      const after = await connection.operatorService.listSearchAttributes({ namespace: 'jincai-test' });
      assert.equal(after.customAttributes?.JincaiTestExtra, indexedValueType.KeywordList);
      client = new Client({ connection, namespace: 'jincai-test' });
      const description = await client.workflow.getHandle(workflowId).describe();
      assert.equal(description.status.name, 'RUNNING');
      assert.equal(description.typedSearchAttributes.get(RunbookKey), 'dev-server-test');
      const listed = await eventually(async () => {
        const ids: string[] = [];
        for await (const wf of client.workflow.list({ query: `Runbook = "dev-server-test"` }))
          ids.push(wf.workflowId);
        return ids.length > 0 ? ids : undefined;
      });
      assert.deepEqual(listed, [workflowId]);
      const ui = await fetch(second.uiUrl);
      assert.equal(ui.status, 200);
      await client.workflow.getHandle(workflowId).terminate('test done');
      await connection.close();
      await second.stop();
      const exit = await second.exited;
      assert.ok(exit.code === 0 || exit.signal === 'SIGTERM', `clean exit, got ${JSON.stringify(exit)}`);
    },
  );

  it('reports the exit code and the last log lines when the server dies at start', async () => {
    const fake = join(dir, 'dies');
    writeFileSync(fake, '#!/bin/sh\necho "boom: cannot open database" >&2\nexit 3\n');
    chmodSync(fake, 0o755);
    await assert.rejects(startDevServer({ cliPath: fake, uiPort: false }), (err: Error) => {
      assert.ok(err instanceof DevServerStartError);
      assert.match(err.message, /exited during start-up \(exit code 3\)/);
      assert.match(err.logTail, /boom: cannot open database/);
      return true;
    });
  });

  it('gives up after startTimeoutMs when nothing ever serves, and stops the process', async () => {
    const fake = join(dir, 'hangs');
    writeFileSync(fake, '#!/bin/sh\necho "starting forever"\nexec sleep 60\n');
    chmodSync(fake, 0o755);
    const started = Date.now();
    await assert.rejects(
      startDevServer({ cliPath: fake, uiPort: false, startTimeoutMs: 1_500 }),
      (err: Error) => {
        assert.ok(err instanceof DevServerStartError);
        assert.match(err.message, /did not serve 127\.0\.0\.1:\d+ within 1\.5 s/);
        assert.match(err.message, /starting forever/);
        return true;
      },
    );
    assert.ok(Date.now() - started < 15_000);
  });

  it('reports a CLI path that cannot be run', async () => {
    await assert.rejects(
      startDevServer({ cliPath: join(dir, 'missing'), uiPort: false }),
      /Cannot run .*missing.*ENOENT/,
    );
  });
});

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(200);
  }
}
