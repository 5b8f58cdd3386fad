import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { parse as parseYaml } from 'yaml';
import { openAuditDb } from '../../connectors/audit/database.ts';
import type { AddAgentBankInput, AddAgentBankResult } from '../../domain/runbooks/add-agent-bank.types.ts';
import type { DailyInspectionResult } from '../../domain/runbooks/daily-inspection.types.ts';
import type { OnboardedBank } from '../../sandbox/bank/onboard.ts';
import { freePort } from '../../scripts/lib/free-port.ts';
import { addTestUsers, decide, signedBy, waitForGate } from '../support/approvals.ts';
import { sandboxApi, startTestEstate, type TestEstate } from '../support/estate.ts';

let estate: TestEstate;

before(async () => {
  estate = await startTestEstate({
    edit: (raw) => {
      (raw.approvals as Record<string, unknown>).runbooks = {
        'add-agent-bank': { roles: ['comm-approver'] },
      };
    },
  });
  await addTestUsers(estate.site);
  await estate.startWorker();
});
after(async () => {
  await estate?.stop();
});

const taskQueue = () => estate.site.temporal.taskQueues.runbooks;

function startAdd(id: string, input: Partial<AddAgentBankInput> & Record<string, unknown>) {
  return estate.client.workflow.start('addAgentBank', {
    taskQueue: taskQueue(),
    workflowId: id,
    args: [{ requestedBy: 'eng', waitSeconds: 60, ...input }],
  });
}

/** The bank's own side comes online over the sandbox API, as its engineers would do it. */
const bankComesOnline = (body: Record<string, unknown>) => sandboxApi(estate, 'POST', '/sandbox/banks', body);

async function refused(id: string, input: Record<string, unknown>, pattern: RegExp): Promise<void> {
  const handle = await startAdd(id, input);
  await assert.rejects(handle.result(), (err: unknown) => {
    assert.ok(err instanceof WorkflowFailedError, String(err));
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'InvalidInput');
    assert.match(err.cause.message, pattern);
    return true;
  });
  const history = await handle.fetchHistory();
  const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes);
  const names = scheduled.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);
  assert.ok(
    names.every((n) => n === 'describeEstate' || n === 'estateBanks'),
    `only the estate was read before refusing: ${names.join()}`,
  );
}

describe('add an agent bank', () => {
  it('brings HXB online end to end; an inspection right after includes it, green', async () => {
    const port = await freePort();
    const online = await bankComesOnline({
      code: 'HXB',
      name: '华夏银行',
      frontEnd: { host: '127.0.0.1', port },
    });
    assert.equal(online.status, 201, JSON.stringify(online.json));
    const program = (online.json as OnboardedBank).program;
    assert.ok(program, 'the sandbox starts the send/receive program for the new bank');
    const again = await bankComesOnline({
      code: 'HXB',
      name: '华夏银行',
      frontEnd: { host: '127.0.0.1', port },
    });
    assert.equal(again.status, 400);
    assert.equal((again.json as { field: string }).field, 'code');

    const id = `add-agent-bank/HXB/test-${Date.now()}`;
    const handle = await startAdd(id, {
      code: 'HXB',
      name: '华夏银行',
      frontEnd: { host: '127.0.0.1', port },
      programs: [{ name: '收发程序-HXB', pidFile: program.pidFile }],
      reason: '合同补充协议第 3 号',
    });
    const gate = await waitForGate(estate.client, id);
    const mqsc = [
      "DEFINE QLOCAL(QM.HXB) USAGE(XMITQ) DESCR('Transmission queue to HXB') TRIGGER TRIGTYPE(FIRST) TRIGDATA(CZ.TO.HXB) INITQ(SYSTEM.CHANNEL.INITQ) REPLACE",
      `DEFINE CHANNEL(CZ.TO.HXB) CHLTYPE(SDR) TRPTYPE(TCP) CONNAME('127.0.0.1(${port})') XMITQ(QM.HXB) DESCR('Finance to HXB') REPLACE`,
      "DEFINE CHANNEL(HXB.TO.CZ) CHLTYPE(RCVR) TRPTYPE(TCP) DESCR('HXB to finance') REPLACE",
      "DEFINE QREMOTE(PAY.TO.HXB) RNAME(PAY.IN) RQMNAME(QM.HXB) XMITQ(QM.HXB) DESCR('Messages to HXB') REPLACE",
      "DEFINE QLOCAL(PAY.FROM.HXB) DESCR('Messages from HXB') REPLACE",
      'START CHANNEL(CZ.TO.HXB)',
    ];
    assert.deepEqual(
      gate.plan.actions.filter((a) => a.kind === 'mqsc').map((a) => a.command),
      mqsc,
    );
    const sql = gate.plan.actions.filter((a) => a.kind === 'sql').map((a) => a.command);
    assert.match(sql[0] ?? '', /^INSERT INTO agent_banks .* VALUES \('HXB', '华夏银行', 1, :now\)$/);
    assert.equal(sql.filter((c) => c.startsWith('INSERT INTO base_data_versions')).length, 3);
    assert.equal(sql.filter((c) => c.startsWith('INSERT INTO base_data_pushes')).length, 3);
    assert.match(sql.at(-1) ?? '', /^INSERT INTO bank_queries .*'voucher', 'CSHXB/);
    const file = gate.plan.actions.find((a) => a.kind === 'file');
    assert.equal(file?.target, join(estate.dir, 'added-banks', 'HXB.yaml'));
    const cz = estate.sandbox.estate;
    assert.equal(cz.queueManager('QM.CZ')?.queues.has('QM.HXB'), false, 'nothing changes before approval');

    await decide(estate.client, id, signedBy(estate.site, gate, 'wang', { reason: '已核对合同' }));
    const result: AddAgentBankResult = await handle.result();
    assert.equal(result.outcome, 'added', result.why.join('\n'));

    // What the queue manager received: exactly the approved MQSC, in order, once each.
    const received = cz
      .mqscLog('QM.CZ')
      .map((e) => e.command)
      .filter((c) => /^(DEFINE|START)\b/.test(c));
    assert.deepEqual(received, mqsc);
    assert.deepEqual(
      result.baseData?.map((p) => [p.kind, p.status]),
      [
        ['budget_unit', 'acked'],
        ['payee_account', 'acked'],
        ['subject', 'acked'],
      ],
    );
    const versions = estate.sandbox.banks.ledger('HXB').versions();
    for (const p of result.baseData ?? [])
      assert.equal(versions[p.kind], p.version, `bank applied ${p.kind}`);
    assert.equal(result.testMessage?.status, 'answered');
    assert.equal(result.testMessage?.answer?.known, false, 'the bank has no such voucher');
    assert.equal(result.channels?.sender, 'RUNNING');
    const treasury = estate.sandbox.treasury;
    const answers = await treasury
      .selectFrom('message_log')
      .select(['direction', 'kind'])
      .where('bank_code', '=', 'HXB')
      .execute();
    assert.equal(answers.filter((m) => m.direction === 'out' && m.kind === 'status_query').length, 1);
    assert.equal(answers.filter((m) => m.direction === 'in' && m.kind === 'status_answer').length, 1);

    const registered = join(estate.dir, 'added-banks', 'HXB.yaml');
    assert.ok(existsSync(registered));
    const entry = parseYaml(readFileSync(registered, 'utf8')) as Record<string, unknown>;
    assert.equal(entry.code, 'HXB');
    assert.equal(entry.senderChannel, 'CZ.TO.HXB');
    assert.equal(readFileSync(registered, 'utf8'), file?.command, 'the file is what the approver saw');
    assert.match(readFileSync(result.report.markdown, 'utf8'), /新增代理银行报告 — 华夏银行（HXB）/);

    const audit = await openAuditDb(estate.site.audit);
    try {
      const kinds = (
        await audit
          .selectFrom('audit_records')
          .select('kind')
          .where('workflow_id', '=', id)
          .orderBy('seq')
          .execute()
      ).map((r) => r.kind);
      assert.deepEqual(kinds.slice(0, 3), ['run-started', 'plan', 'decision']);
      assert.equal(kinds.at(-1), 'outcome');
      assert.equal(kinds.filter((k) => k === 'mutation').length, result.actions.length);
    } finally {
      await audit.destroy();
    }

    // Same worker, no restart: the schedules' inspection (every bank) now covers HXB; the
    // subsystems' processes are not run here.
    const inspection: DailyInspectionResult = await estate.client.workflow.execute('dailyInspection', {
      taskQueue: taskQueue(),
      workflowId: `test-inspection-after-add-${Date.now()}`,
      args: [{ skip: ['subsystems'] }],
    });
    const hxb = inspection.banks.find((b) => b.bank === 'HXB');
    assert.ok(hxb, `HXB is inspected: ${inspection.banks.map((b) => b.bank).join()}`);
    assert.equal(inspection.banks.length, 6);
    assert.equal(hxb.light, 'green', JSON.stringify(hxb.findings, null, 2));
    for (const check of ['channels', 'queues', 'frontEnd', 'programs', 'traffic'] as const) {
      assert.equal(hxb.checks[check]?.light, 'green', `HXB ${check}`);
    }
    assert.equal(inspection.light, 'green', JSON.stringify(inspection.findings, null, 2));
  });

  it('refuses a code already in the estate, and bad input naming the field, before any change', async () => {
    const t = Date.now();
    const base = { name: '某银行', frontEnd: { host: '127.0.0.1', port: 15999 } };
    await refused(
      `add-agent-bank/ICBC/test-${t}`,
      { ...base, code: 'ICBC' },
      /input\.code: bank code "ICBC" is already in the estate/,
    );
    // HXB was added by the run above: the running worker already counts it.
    await refused(
      `add-agent-bank/HXB/again-${t}`,
      { ...base, code: 'HXB' },
      /input\.code: bank code "HXB" is already in the estate/,
    );
    await refused(
      `add-agent-bank/GDB/port-${t}`,
      { ...base, code: 'GDB', frontEnd: { host: '127.0.0.1', port: 70000 } },
      /input\.frontEnd\.port: /,
    );
    await refused(`add-agent-bank/GDB/code-${t}`, { ...base, code: 'gdb' }, /input\.code: a bank code/);
    await refused(
      `add-agent-bank/GDB/clash-${t}`,
      { ...base, code: 'GDB', senderChannel: 'CZ.TO.ICBC' },
      /input\.senderChannel: channel CZ\.TO\.ICBC already belongs to ICBC/,
    );
    await refused(
      `add-agent-bank/GDB/host-${t}`,
      { ...base, code: 'GDB', frontEnd: { host: "h')", port: 1 } },
      /input\.frontEnd\.host: /,
    );
  });

  it('changes nothing and says why when the bank has not brought its side online', async () => {
    const id = `add-agent-bank/GDB/test-${Date.now()}`;
    const before = estate.sandbox.estate
      .mqscLog('QM.CZ')
      .filter((e) => e.command.startsWith('DEFINE')).length;
    const result: AddAgentBankResult = await (
      await startAdd(id, {
        code: 'GDB',
        name: '广发银行',
        frontEnd: { host: '127.0.0.1', port: await freePort() },
      })
    ).result();
    assert.equal(result.outcome, 'not-ready');
    assert.match(result.why.join('\n'), /银行前置机不可达/);
    assert.match(result.why.join('\n'), /无法访问银行队列管理器 QM\.GDB/);
    assert.equal(result.approval, undefined);
    assert.deepEqual(result.actions, []);
    assert.equal(
      estate.sandbox.estate.mqscLog('QM.CZ').filter((e) => e.command.startsWith('DEFINE')).length,
      before,
    );
    assert.equal(existsSync(join(estate.dir, 'added-banks', 'GDB.yaml')), false);
  });
});
