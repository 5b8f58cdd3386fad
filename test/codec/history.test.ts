/**
 * Acceptance: payee data run through a real Temporal server with the codec never reaches its
 * history in plain text (inputs, activity results, workflow result, failure message, memo), the
 * codec endpoint gives it back to an authorized engineer, and the worker's logs redact it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, type Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createCodecEndpoint } from '../../connectors/codec/codec-endpoint.ts';
import { createDataConverter } from '../../connectors/codec/data-converter.ts';
import { AesGcmPayloadCodec } from '../../connectors/codec/payload-codec.ts';
import { createLogger, temporalLogger } from '../../connectors/logging/logger.ts';
import { testPayloadKeys } from '../support/codec.ts';
import { testTemporal, type TestTemporal } from '../support/temporal.ts';
import type { PayeeActivities, PaymentLine, PayeeCheck } from './fixtures/payee-workflow.ts';

const workflowsPath = fileURLToPath(new URL('./fixtures/payee-workflow.ts', import.meta.url));
const suffix = randomUUID().slice(0, 8);
const lines: PaymentLine[] = [
  {
    voucherNo: `ZF-${suffix}-1`,
    payeeAccountNo: '6222021001123456789',
    payeeAccountName: '县宏达建筑工程有限公司',
    amountFen: 1250000,
  },
  {
    voucherNo: `ZF-${suffix}-2`,
    payeeAccountNo: '6228480012345678901',
    payeeAccountName: '李秀英',
    amountFen: 86000,
  },
];
const needles = lines.flatMap((l) => [l.payeeAccountNo, l.payeeAccountName]);

let temporal: TestTemporal;
let connection: Connection;
let client: Client;
let plainClient: Client;
let nc: NativeConnection;
let workers: { worker: Worker; running: Promise<void> }[] = [];
let endpoint: Server;
let endpointUrl: string;
const logLines: string[] = [];
const taskQueue = `codec-${suffix}`;
const plainTaskQueue = `codec-plain-${suffix}`;

const activities: PayeeActivities = {
  async checkPayee(line) {
    workerLog.info({ line, bank: 'ICBC' }, 'checking payee');
    return {
      voucherNo: line.voucherNo,
      payeeAccountName: line.payeeAccountName,
      known: line.amountFen < 100000,
    };
  },
};
const workerLog = createLogger(
  'codec-test-worker',
  'info',
  new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  }),
);

before(async () => {
  // The SDK's own lines (such as "Workflow failed" with the error) go through the worker's pino, as in workers/main.ts.
  Runtime.install({ logger: temporalLogger(workerLog) });
  temporal = await testTemporal();
  const keys = testPayloadKeys();
  const dataConverter = createDataConverter(keys);
  connection = await Connection.connect(temporal.connectionOptions());
  client = new Client({ connection, namespace: temporal.namespace, dataConverter });
  // Reads what the server really stores: no codec.
  plainClient = new Client({ connection, namespace: temporal.namespace });
  nc = await NativeConnection.connect(temporal.connectionOptions());
  for (const [queue, converter] of [
    [taskQueue, dataConverter],
    [plainTaskQueue, undefined],
  ] as const) {
    const worker = await Worker.create({
      connection: nc,
      namespace: temporal.namespace,
      taskQueue: queue,
      workflowsPath,
      activities,
      ...(converter && { dataConverter: converter }),
    });
    workers.push({ worker, running: worker.run() });
  }

  const handler = createCodecEndpoint({
    codec: new AesGcmPayloadCodec(keys),
    uiOrigins: ['http://localhost:8233'],
    authorize: async (req) =>
      req.headers.authorization === `Bearer ${suffix}` ? { user: 'engineer' } : undefined,
    log: createLogger('codec-test-endpoint', 'warn'),
  });
  endpoint = createServer((req, res) => void handler(req, res).then((h) => h || res.writeHead(404).end()));
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/codec`;
});

after(async () => {
  for (const w of workers) w.worker.shutdown();
  await Promise.all(workers.map((w) => w.running));
  workers = [];
  await nc?.close();
  await connection?.close();
  await new Promise((resolve) => (endpoint ? endpoint.close(resolve) : resolve(undefined)));
  await temporal?.stop();
});

type RawHistory = proto.temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryResponse;

async function rawHistory(
  workflowId: string,
): Promise<{ bytes: Buffer; json: string; events: RawHistory[] }> {
  const pages: RawHistory[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await plainClient.workflowService.getWorkflowExecutionHistory({
      namespace: temporal.namespace,
      execution: { workflowId },
      nextPageToken,
    });
    pages.push(page);
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  const Response = proto.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse;
  return {
    bytes: Buffer.concat(pages.map((p) => Response.encode(p).finish())),
    json: JSON.stringify(pages.map((p) => Response.toObject(Response.fromObject(p), { bytes: String }))),
    events: pages,
  };
}

function leaks(history: { bytes: Buffer; json: string }): string[] {
  return needles.filter((n) => history.bytes.includes(Buffer.from(n)) || history.json.includes(n));
}

/** Every encrypted payload in a raw history, wherever it sits. */
function encryptedPayloads(value: unknown, found: Payload[] = []): Payload[] {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return found;
  const encoding = (value as Payload).metadata?.encoding;
  if (encoding instanceof Uint8Array && Buffer.from(encoding).toString() === 'binary/encrypted') {
    found.push(value as Payload);
    return found;
  }
  for (const v of Object.values(value)) encryptedPayloads(v, found);
  return found;
}

async function start(outcome: 'pass' | 'fail', via: Client, queue: string) {
  return via.workflow.start('payeeCheck', {
    taskQueue: queue,
    workflowId: `codec-test/${outcome}/${randomUUID()}`,
    args: [{ lines, outcome }],
    memo: { firstPayee: lines[0]?.payeeAccountName },
  });
}

test('control: without the codec, the same run leaves payee data readable in history', async () => {
  const handle = await start('pass', plainClient, plainTaskQueue);
  await handle.result();
  assert.deepEqual(leaks(await rawHistory(handle.workflowId)).sort(), [...needles].sort());
});

test('with the codec: no account number or name in history or the worker log; the endpoint decodes them back', async () => {
  const passed = await start('pass', client, taskQueue);
  const result = (await passed.result()) as PayeeCheck[];
  assert.deepEqual(
    result.map((r) => r.payeeAccountName),
    lines.map((l) => l.payeeAccountName),
  );

  const failed = await start('fail', client, taskQueue);
  const error = await failed.result().then(
    () => assert.fail('the workflow should fail'),
    (err: unknown) => err,
  );
  assert.ok(error instanceof WorkflowFailedError);
  assert.ok(error.cause instanceof ApplicationFailure);
  // The client with the codec reads the failure as it was thrown.
  assert.match(error.cause.message, /bank does not know payee 县宏达建筑工程有限公司/);

  for (const handle of [passed, failed]) {
    const history = await rawHistory(handle.workflowId);
    assert.ok(history.bytes.includes(Buffer.from(handle.workflowId)), 'sanity: these bytes are that history');
    assert.deepEqual(leaks(history), [], `history of ${handle.workflowId} leaks payee data`);

    const payloads = encryptedPayloads(history.events);
    // Input, memo, two activity inputs and results, and the result or the failure's attributes.
    assert.ok(payloads.length >= 6, `expected encrypted payloads, found ${payloads.length}`);
    const res = await fetch(`${endpointUrl}/decode`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-namespace': temporal.namespace,
        authorization: `Bearer ${suffix}`,
      },
      body: JSON.stringify({
        payloads: payloads.map((p) => ({
          metadata: Object.fromEntries(
            Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
          data: Buffer.from(p.data ?? []).toString('base64'),
        })),
      }),
    });
    assert.equal(res.status, 200);
    const decoded = ((await res.json()) as { payloads: { data?: string }[] }).payloads
      .map((p) => Buffer.from(p.data ?? '', 'base64').toString('utf8'))
      .join('\n');
    for (const n of needles) assert.ok(decoded.includes(n), `${n} decodes back`);
  }

  // The failure itself: message and stack trace encoded, so encrypted with the rest.
  const failedHistory = await rawHistory(failed.workflowId);
  const failedEvent = failedHistory.events
    .flatMap((p) => p.history?.events ?? [])
    .find((e) => e.workflowExecutionFailedEventAttributes);
  const failure = failedEvent?.workflowExecutionFailedEventAttributes?.failure;
  assert.equal(failure?.message, 'Encoded failure');
  assert.equal(failure?.stackTrace ?? '', '');
  assert.ok(failure?.encodedAttributes?.metadata?.['encryption-key-id'], 'failure attributes are encrypted');

  // And the worker's log — its own line about each payee, and the SDK's — redacts the payee fields.
  const checking = logLines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === 'checking payee');
  assert.ok(checking.length >= 2, 'the activity logged');
  for (const entry of checking) {
    const line = entry.line as Record<string, unknown>;
    assert.equal(line.payeeAccountNo, '[redacted]');
    assert.equal(line.payeeAccountName, '[redacted]');
    assert.match(String(line.voucherNo), /^ZF-/);
    assert.equal(entry.bank, 'ICBC');
  }
  assert.ok(
    logLines.some((l) => l.includes('"msg":"Workflow failed"')),
    'the SDK logged the failure through pino',
  );
  const all = logLines.join('\n');
  for (const n of needles) assert.equal(all.includes(n), false, `${n} in the worker log`);
});
