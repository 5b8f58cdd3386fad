/**
 * The daily inspection's bulk looks against the sandbox estate (its queue managers over mqweb, its
 * front ends and programs, its treasury database): for every bank, on a healthy estate and on a
 * "bad Monday", each bulk answer is what the single-bank activity answers — or null, to be asked
 * alone, where that one fails — and the finance queue manager is asked one DISPLAY CHSTATUS and one
 * DISPLAY QLOCAL for all banks, where one bank at a time asks it three times a bank; a bank queue
 * manager's DEADQ only where the site does not name its dead-letter queue.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createHostActivities } from '../../activities/host.ts';
import { createBulkInspectionActivities } from '../../activities/inspection-bulk.ts';
import { createMqActivities } from '../../activities/mq.ts';
import { createTreasuryActivities } from '../../activities/treasury.ts';
import { createSiteCalendar } from '../../connectors/calendar/site-calendar.ts';
import { createSiteHosts } from '../../connectors/host/site-hosts.ts';
import { createMqAdmin } from '../../connectors/mq/create-mq-admin.ts';
import { MqUnreachableError, type MqAdminPort } from '../../connectors/mq/port.ts';
import { openTreasuryDb, type TreasuryDb } from '../../connectors/treasury/database.ts';
import { dateInZone } from '../../domain/calendar/dates.ts';
import { startSandbox, type SandboxHandle } from '../../sandbox/server.ts';
import { declaredPrograms } from '../../temporal.config.ts';
import { makeTestSite, type TestSite } from '../support/site.ts';
import { testBuild } from '../support/test-build.ts';

/** The banks whose site entry names their dead-letter queue. */
const declaringDeadLetterQueue = ['ICBC', 'CCB'];

let ts: TestSite;
let sandbox: SandboxHandle;
let db: TreasuryDb;
let host: ReturnType<typeof createSiteHosts>;
const commands: string[] = [];

before(async () => {
  // The activities are called directly: nothing here reaches Temporal. Some banks name their
  // queue manager's dead-letter queue, the others leave it to be asked (DISPLAY QMGR DEADQ).
  ts = await makeTestSite({
    temporalAddress: '127.0.0.1:7233',
    edit: (raw) => {
      for (const b of raw.banks as Record<string, unknown>[])
        if (!declaringDeadLetterQueue.includes(String(b.code))) delete b.deadLetterQueue;
    },
  });
  Object.assign(process.env, {
    JINCAI_MQWEB_USER: ts.env.JINCAI_MQWEB_USER,
    JINCAI_MQWEB_PASSWORD: ts.env.JINCAI_MQWEB_PASSWORD,
  });
  sandbox = await startSandbox({ site: ts.site, reseed: true, programsBuild: testBuild() });
  db = await openTreasuryDb(ts.site.treasury);
  host = createSiteHosts({ hosts: ts.site.hosts, programs: declaredPrograms(ts.site) });
});
after(async () => {
  await host?.close();
  await db?.destroy();
  await sandbox?.stop();
  ts?.cleanup();
});

/**
 * The comm and db zones' activities, over an MQ port that notes every command it sends and, when
 * asked, cannot reach one queue manager (as when a bank's line is cut).
 */
function activities(cutOff?: string) {
  const admin = createMqAdmin(ts.site.mq);
  const recording: MqAdminPort = {
    runMqsc: async (qmgr, command) => {
      commands.push(`${qmgr}: ${command}`);
      if (qmgr === cutOff) throw new MqUnreachableError(qmgr, `${qmgr}: connection refused`);
      return admin.runMqsc(qmgr, command);
    },
  };
  const site = ts.site;
  const calendar = createSiteCalendar(site.calendar);
  return {
    single: {
      ...createMqActivities({ mq: recording, site }),
      ...createHostActivities({ host, site }),
      ...createTreasuryActivities({ db, site, calendar }),
    },
    bulk: {
      ...createBulkInspectionActivities({ mq: recording, host, site }),
      ...createTreasuryActivities({ db, site, calendar }),
    },
  };
}

/** What a single-bank look answered, by bank: its check, or 'failed' when it threw. */
async function eachAlone<T>(look: (bank: string) => Promise<T>): Promise<Record<string, T | 'failed'>> {
  const banks = ts.site.banks.map((b) => b.code);
  return Object.fromEntries(
    await Promise.all(banks.map(async (b) => [b, await look(b).catch(() => 'failed' as const)] as const)),
  );
}

/** A TCP probe's latency differs from one connection to the next. */
const latencyFree = (answer: unknown) =>
  JSON.parse(JSON.stringify(answer).replace(/（\d+ ms）/g, '（n ms）'));

/**
 * Each check asked in bulk between two rounds of single-bank looks; where the two rounds agree (the
 * estate did not move meanwhile), the bulk answer must be theirs, 'failed' read as null.
 */
async function assertBulkAsAlone(label: string, cutOff?: string): Promise<void> {
  const { single, bulk } = activities(cutOff);
  const banks = ts.site.banks.map((b) => b.code);
  const date = dateInZone(new Date(), ts.site.site.timezone);
  const checks = {
    channels: [
      (b: string) => single.inspectChannels({ bank: b }),
      () => bulk.inspectChannelsInBulk({ banks }),
    ],
    queues: [(b: string) => single.inspectQueues({ bank: b }), () => bulk.inspectQueuesInBulk({ banks })],
    programs: [(b: string) => single.checkPrograms({ bank: b }), () => bulk.checkProgramsInBulk({ banks })],
    traffic: [
      (b: string) => single.countTraffic({ bank: b, date }),
      () => bulk.countTrafficInBulk({ banks, date }),
    ],
    ping: [(b: string) => single.pingChannel({ bank: b }), () => bulk.pingChannelsInBulk({ banks })],
    tcp: [(b: string) => single.probeFrontEnd({ bank: b }), () => bulk.probeFrontEndsInBulk({ banks })],
  } as const;
  for (const [name, [alone, inBulk]] of Object.entries(checks)) {
    for (let attempt = 1; ; attempt++) {
      const first = latencyFree(await eachAlone(alone as (b: string) => Promise<unknown>));
      const answered = latencyFree(await (inBulk as () => Promise<Record<string, unknown>>)());
      const second = latencyFree(await eachAlone(alone as (b: string) => Promise<unknown>));
      if (JSON.stringify(first) !== JSON.stringify(second)) {
        assert.ok(attempt < 10, `${label} ${name}: the estate kept moving`);
        continue;
      }
      const expected = Object.fromEntries(
        Object.entries(first).map(([b, v]) => [b, v === 'failed' ? null : v]),
      );
      assert.deepEqual(answered, expected, `${label} ${name}`);
      break;
    }
  }
}

test('each bank answered in bulk as it is answered alone: healthy, a bank queue manager cut off, a "bad Monday"', async () => {
  await assertBulkAsAlone('healthy');
  await assertBulkAsAlone('QM.ICBC cut off', 'QM.ICBC');
  await sandbox.scenario('bad-monday');
  for (let i = 0; i < 100; i++) {
    const snap = JSON.stringify(sandbox.estate.snapshot());
    if (snap.includes('RETRYING') && snap.includes('STOPPED')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await assertBulkAsAlone('bad Monday');
  await sandbox.scenario('healthy');
});

test('the finance queue manager is asked once for every bank: one DISPLAY CHSTATUS and one DISPLAY QLOCAL', async () => {
  const { single, bulk } = activities();
  const banks = ts.site.banks.map((b) => b.code);
  const finance = (from: number) =>
    commands.slice(from).filter((c) => c.startsWith(`${ts.site.mq.financeQmgr}: `));

  const before = commands.length;
  await Promise.all([bulk.inspectChannelsInBulk({ banks }), bulk.inspectQueuesInBulk({ banks })]);
  const inBulk = finance(before);
  assert.deepEqual(inBulk.filter((c) => !c.includes(' SAVED ')).sort(), [
    `${ts.site.mq.financeQmgr}: DISPLAY CHSTATUS(*) SUBSTATE INDOUBT LSTSEQNO CURSEQNO`,
    `${ts.site.mq.financeQmgr}: DISPLAY QLOCAL(QM.*) CURDEPTH`,
  ]);
  assert.ok(inBulk.length <= 3, inBulk.join('\n'));
  // Each bank's own queue manager: one DISPLAY CHSTATUS for both its channel ends (and one SAVED at most).
  for (const b of ts.site.banks) {
    const theirs = commands.slice(before).filter((c) => c.startsWith(`${b.qmgr}: DISPLAY CHSTATUS`));
    assert.ok(theirs.length >= 1 && theirs.length <= 2, `${b.code}: ${theirs.join(', ')}`);
  }

  // Each bank queue manager's DEADQ: asked only where the site does not name its dead-letter queue.
  for (const b of ts.site.banks) {
    const asked = commands.slice(before).filter((c) => c === `${b.qmgr}: DISPLAY QMGR DEADQ`);
    assert.equal(asked.length, declaringDeadLetterQueue.includes(b.code) ? 0 : 1, `${b.code}: DEADQ`);
  }

  const alone = commands.length;
  for (const bank of banks)
    await Promise.all([single.inspectChannels({ bank }), single.inspectQueues({ bank })]);
  assert.ok(finance(alone).length >= 3 * banks.length, finance(alone).join('\n'));
});
