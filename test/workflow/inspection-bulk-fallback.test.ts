/**
 * The daily inspection's bulk looks and their fallback, on the real workflow with typed fakes for
 * the comm and db zones: whatever the bulk looks could not read — a bank left out or null, a whole
 * bulk look failed — is asked bank by bank, and the banks' checks and findings come out exactly as
 * when every bank is asked alone; with complete bulk answers no bank is asked alone.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { records } from '../../activities/activity-kinds.ts';
import type { createControlActivities } from '../../activities/control.ts';
import type { createHostActivities } from '../../activities/host.ts';
import type { BulkAnswer, createBulkInspectionActivities } from '../../activities/inspection-bulk.ts';
import type { createMqActivities } from '../../activities/mq.ts';
import type { createTreasuryActivities } from '../../activities/treasury.ts';
import type {
  ChannelsCheck,
  DailyInspectionResult,
  FrontEndCheck,
  ProgramsCheck,
  QueuesCheck,
  TrafficCheck,
} from '../../domain/runbooks/daily-inspection.types.ts';
import { defaultSiteFile, loadSite } from '../../temporal.config.ts';
import { testTemporal, type TestTemporal } from '../support/temporal.ts';
import { testWorkflowBundle } from '../support/test-build.ts';

type Mq = ReturnType<typeof createMqActivities>;
type Host = ReturnType<typeof createHostActivities>;
type Treasury = ReturnType<typeof createTreasuryActivities>;
type Bulk = ReturnType<typeof createBulkInspectionActivities>;
type Control = ReturnType<typeof createControlActivities>;

const site = loadSite(defaultSiteFile);
const taskQueue = `inspection-bulk-${process.pid}-${Date.now()}`;
const date = '2026-11-27';
// CCB's sender is stopped (its front end is pinged); ABC's channels cannot be read at all.
const banks = ['ICBC', 'CCB', 'ABC'];

const end = (channel: string, chltype: string, status: string) => ({
  qmgr: 'QM.CZ',
  channel,
  chltype,
  status,
});
const channels = (bank: string): ChannelsCheck => ({
  sender: end(`CZ.TO.${bank}`, 'SDR', bank === 'CCB' ? 'STOPPED' : 'RUNNING'),
  receiver: end(`${bank}.TO.CZ`, 'RCVR', 'RUNNING'),
});
const queues = (bank: string): QueuesCheck => ({
  xmitq: { qmgr: 'QM.CZ', queue: `QM.${bank}`, depth: bank === 'ICBC' ? 80 : 0 },
  deadLetter: null,
});
const programs = (bank: string): ProgramsCheck => ({
  programs: [{ name: `send-${bank}`, running: bank !== 'ICBC', detail: 'pid file' }],
});
const traffic = (): TrafficCheck => ({ date, reportDate: '2026-11-26', lines: [], unsentBacklog: 0 });
const tcp = (bank: string): FrontEndCheck => ({ method: 'tcp', reachable: true, detail: `${bank} 连接成功` });
const ping = (bank: string): FrontEndCheck => ({
  method: 'ping',
  reachable: false,
  detail: `${bank} ping failed`,
});
const unreadable = () =>
  ApplicationFailure.create({ type: 'ChannelUnreachable', message: 'QM.CZ: no answer', nonRetryable: true });

/** The single-bank activities each bank is asked alone through, noting who was asked what. */
const asked: string[] = [];
const alone: Pick<Mq, 'inspectChannels' | 'inspectQueues' | 'pingChannel'> &
  Pick<Host, 'checkPrograms' | 'probeFrontEnd'> &
  Pick<Treasury, 'countTraffic'> = {
  async inspectChannels({ bank }) {
    asked.push(`inspectChannels ${bank}`);
    if (bank === 'ABC') throw unreadable();
    return channels(bank);
  },
  async inspectQueues({ bank }) {
    asked.push(`inspectQueues ${bank}`);
    return queues(bank);
  },
  async pingChannel({ bank }) {
    asked.push(`pingChannel ${bank}`);
    return ping(bank);
  },
  async checkPrograms({ bank }) {
    asked.push(`checkPrograms ${bank}`);
    return programs(bank);
  },
  async probeFrontEnd({ bank }) {
    asked.push(`probeFrontEnd ${bank}`);
    return tcp(bank);
  },
  async countTraffic({ bank }) {
    asked.push(`countTraffic ${bank}`);
    return traffic();
  },
};

/** How the bulk looks answer in the run under way. */
let bulkMode: 'failing' | 'holes' | 'complete' = 'failing';
const answer = <T>(
  look: (bank: string) => T | null,
  codes: string[],
  holes: Record<string, 'null' | 'absent'>,
): BulkAnswer<T> => {
  if (bulkMode === 'failing') throw unreadable();
  const out: BulkAnswer<T> = {};
  for (const b of codes) {
    const hole = bulkMode === 'holes' ? holes[b] : undefined;
    if (hole === 'null') out[b] = null;
    else if (hole !== 'absent') out[b] = look(b);
  }
  return out;
};
const bulk: Bulk & Pick<Treasury, 'countTrafficInBulk'> = {
  // ABC's channels cannot be read in bulk either.
  inspectChannelsInBulk: async ({ banks }) => answer((b) => (b === 'ABC' ? null : channels(b)), banks, {}),
  inspectQueuesInBulk: async ({ banks }) => {
    if (bulkMode === 'holes') throw unreadable();
    return answer(queues, banks, {});
  },
  checkProgramsInBulk: async ({ banks }) => answer(programs, banks, { ABC: 'absent' }),
  countTrafficInBulk: async ({ banks }) => answer(traffic, banks, {}) as Record<string, TrafficCheck>,
  probeFrontEndsInBulk: async ({ banks }) => answer(tcp, banks, { ABC: 'null' }),
  pingChannelsInBulk: async ({ banks }) => answer(ping, banks, { ABC: 'absent' }),
};

const control: Pick<Control, 'describeEstate' | 'writeInspectionReport'> = {
  describeEstate: async () => ({
    site: site.site.name,
    timezone: site.site.timezone,
    banks: banks.map((code) => ({ code, name: code })),
    concurrency: 2,
    followUp: {},
    thresholds: site.thresholds,
    taskQueues: { runbooks: taskQueue, comm: taskQueue, db: taskQueue },
    runLinkBase: 'http://127.0.0.1:8233/',
  }),
  writeInspectionReport: records(async () => ({ markdown: 'report.md', html: 'report.html' })),
};

let temporal: TestTemporal;
let connection: Connection;
let nativeConnection: NativeConnection;
let client: Client;
let worker: Worker;
let running: Promise<void>;

before(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  temporal = await testTemporal();
  connection = await Connection.connect(temporal.connectionOptions());
  client = new Client({ connection, namespace: temporal.namespace });
  nativeConnection = await NativeConnection.connect(temporal.connectionOptions());
  worker = await Worker.create({
    connection: nativeConnection,
    namespace: temporal.namespace,
    taskQueue,
    workflowBundle: await testWorkflowBundle('runbooks'),
    activities: { ...alone, ...bulk, ...control, calendarYears: async () => [2026, 2027] },
  });
  running = worker.run();
});
after(async () => {
  worker?.shutdown();
  await running;
  await nativeConnection?.close();
  await connection?.close();
  await temporal?.stop();
});

async function inspect(mode: typeof bulkMode): Promise<{ result: DailyInspectionResult; asked: string[] }> {
  bulkMode = mode;
  asked.length = 0;
  const result: DailyInspectionResult = await client.workflow.execute('dailyInspection', {
    taskQueue,
    workflowId: `inspection-bulk-${mode}-${Date.now()}`,
    args: [{ date, skip: ['subsystems'] }],
  });
  return { result, asked: [...asked].sort() };
}

const checksOf = (r: DailyInspectionResult) =>
  r.banks.map(({ bank, light, checks, findings, ...looked }) => ({
    bank,
    light,
    checks,
    findings,
    looked,
  }));

test('what the bulk looks could not read is asked bank by bank, and every bank comes out as when asked alone', async () => {
  const everyBankAlone = await inspect('failing');
  assert.deepEqual(
    everyBankAlone.asked,
    [
      ...banks.flatMap((b) => [
        `inspectChannels ${b}`,
        `inspectQueues ${b}`,
        `checkPrograms ${b}`,
        `countTraffic ${b}`,
      ]),
      'probeFrontEnd ICBC',
      'pingChannel CCB',
      'pingChannel ABC',
    ].sort(),
  );
  const abc = everyBankAlone.result.banks.find((b) => b.bank === 'ABC');
  assert.deepEqual(abc?.checks.channels, { light: 'red', error: 'ChannelUnreachable: QM.CZ: no answer' });
  assert.ok(everyBankAlone.result.findings.length > 0, 'the fakes give findings to compare');

  const withHoles = await inspect('holes');
  assert.deepEqual(
    withHoles.asked,
    [
      'inspectChannels ABC',
      ...banks.map((b) => `inspectQueues ${b}`),
      'checkPrograms ABC',
      'pingChannel ABC',
    ].sort(),
  );
  assert.deepEqual(checksOf(withHoles.result), checksOf(everyBankAlone.result));
  assert.deepEqual(withHoles.result.findings, everyBankAlone.result.findings);

  const complete = await inspect('complete');
  assert.deepEqual(complete.asked, ['inspectChannels ABC']);
  assert.deepEqual(checksOf(complete.result), checksOf(everyBankAlone.result));
});
