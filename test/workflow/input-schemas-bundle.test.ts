/**
 * Every runbook's input schema answers the same inside the workflow bundle as in plain Node: the
 * same inputs — the README's example, valid business dates, generated bad inputs — checked by a
 * workflow on a real worker (bundled as the workers bundle the runbooks) and here, compared. The
 * inputs go in as many starts as the server's payload limit asks.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { checkInput } from '../../domain/errors.ts';
import { deploymentBlobLimits } from '../../scripts/lib/dev-server.ts';
import { workflowBundlerOptions } from '../../workers/workflow-bundle.ts';
import { runbookEntries } from '../../workflows/catalog.ts';
import { sampleBadInputs, validDateVariants } from '../support/bad-inputs.ts';
import { testTemporal, type TestTemporal } from '../support/temporal.ts';

const seed = Number(process.env.JINCAI_TEST_SEED ?? 20261127);
// Each start's inputs within half the server's payload limit (the bad inputs hold strings of up to 300 KB).
const startBytes = (deploymentBlobLimits()['limit.blobSize.error'] ?? 0) / 2;

function withinPayloadLimit(inputs: unknown[]): unknown[][] {
  const starts: unknown[][] = [];
  let bytes = Infinity;
  for (const input of inputs) {
    const size = Buffer.byteLength(JSON.stringify(input));
    if (bytes + size > startBytes) {
      starts.push([]);
      bytes = 0;
    }
    starts.at(-1)?.push(input);
    bytes += size;
  }
  return starts;
}
const taskQueue = `schema-verdicts-${Date.now()}`;
let temporal: TestTemporal;
let nc: NativeConnection;
let client: Client;
let worker: Worker;
let running: Promise<void>;

before(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  temporal = await testTemporal();
  nc = await NativeConnection.connect({ address: temporal.address });
  client = new Client({
    connection: await Connection.connect({ address: temporal.address }),
    namespace: temporal.namespace,
  });
  worker = await Worker.create({
    connection: nc,
    namespace: temporal.namespace,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./fixtures/schema-verdicts.ts', import.meta.url)),
    bundlerOptions: workflowBundlerOptions,
  });
  running = worker.run();
});

after(async () => {
  worker?.shutdown();
  await running;
  await client?.connection.close();
  await nc?.close();
  await temporal?.stop();
});

test('the bundle builds the same catalog as Node: every runbook under the workflow type the bundle exports', async () => {
  const inBundle = await client.workflow.execute('catalogInBundle', {
    taskQueue,
    workflowId: `catalog-in-bundle/${Date.now()}`,
  });
  assert.deepEqual(
    inBundle,
    runbookEntries().map((e) => [e.id, e.workflowType]),
  );
});

test('the bundle resolves zod’s nested namespaces as Node does (z.iso.date is a date string)', async () => {
  const answers = await client.workflow.execute('zodNamespaces', {
    taskQueue,
    workflowId: `zod-namespaces/${Date.now()}`,
  });
  assert.deepEqual(answers, [true, 5]);
});

for (const entry of runbookEntries()) {
  const name = entry.id;
  test(`${name}: the schema answers the same in the bundle as in Node`, async () => {
    const schema = entry.input;
    const inputs = [
      entry.example,
      ...validDateVariants(schema, entry.example as object),
      ...sampleBadInputs(name, schema, entry.example as object, 60, seed)
        .map((c) => c.input)
        .filter((input) => !(input instanceof Uint8Array)),
    ].map((input) => JSON.parse(JSON.stringify(input)) as unknown);
    const verdicts = await Promise.all(
      withinPayloadLimit(inputs).map((some, i) =>
        client.workflow.execute('schemaVerdicts', {
          taskQueue,
          workflowId: `schema-verdicts/${name}/${Date.now()}-${i}`,
          args: [name, some],
        }),
      ),
    );
    const inBundle = verdicts.flat();
    const inNode = JSON.parse(JSON.stringify(inputs.map((input) => checkInput(schema, input)))) as unknown[];
    assert.deepEqual(inBundle, inNode);
    assert.ok(
      (inNode as { ok: boolean }[])
        .slice(0, 1 + validDateVariants(schema, entry.example as object).length)
        .every((v) => v.ok),
      'the example and its valid dates pass',
    );
  });
}
