import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planDigest } from '../../domain/approvals/decision.ts';
import { queryIdFor, queryPrefix } from '../../domain/bank-questions.ts';
import { describeInputIssues } from '../../domain/errors.ts';
import { clashProblems } from '../../domain/runbooks/add-agent-bank.clashes.ts';
import {
  baseDataUnverified,
  registeredEnd,
  testMessageStatus,
  testMessageUnverified,
} from '../../domain/runbooks/add-agent-bank.outcome.ts';
import {
  assessReadiness,
  compareObject,
  mqObjects,
  mqscFor,
  newBankOf,
  onboardingPlan,
  sql,
  treasurySteps,
} from '../../domain/runbooks/add-agent-bank.plan.ts';
import {
  addAgentBankInputSchema,
  type BaseDataPushState,
  type EstateBanks,
  type MqObjectSpec,
  type OnboardingSurvey,
} from '../../domain/runbooks/add-agent-bank.types.ts';

const input = {
  code: 'HXB',
  name: '华夏银行',
  frontEnd: { host: '10.8.1.20', port: 1414 },
  requestedBy: 'zhang.san',
};
const bank = newBankOf(addAgentBankInputSchema.parse(input));
const objects = mqObjects(bank, 'PAY.IN');
const testPrefix = queryPrefix('add-agent-bank/HXB/run-1', 'onboarding-test');
const testQueryId = queryIdFor(testPrefix, 'CSHXBAB12CD34');

function survey(overrides: Partial<OnboardingSurvey> = {}): OnboardingSurvey {
  return {
    financeQmgr: 'QM.CZ',
    objects: objects.map((o) => compareObject(o, null)),
    bankSide: {
      access: true,
      reachable: true,
      detail: 'QM.HXB 可访问',
      receiverDefined: true,
      senderDefined: true,
    },
    frontEnd: { method: 'tcp', reachable: true, detail: '10.8.1.20:1414 连接成功（3 ms）' },
    programs: { programs: [{ name: '收发程序-HXB', running: true, pid: 42, detail: 'pid 42 is running' }] },
    treasury: {
      agentBank: null,
      versions: [],
      baseData: {
        budget_unit: { version: 4, records: 30 },
        payee_account: { version: 9, records: 80 },
        subject: { version: 2, records: 18 },
      },
    },
    ...overrides,
  };
}

const issues = (raw: unknown) => {
  const parsed = addAgentBankInputSchema.safeParse(raw);
  return parsed.success ? [] : describeInputIssues(parsed.error);
};

describe('add-agent-bank input', () => {
  it('names default as the site file does', () => {
    assert.deepEqual(
      [bank.qmgr, bank.senderChannel, bank.receiverChannel, bank.xmitq],
      ['QM.HXB', 'CZ.TO.HXB', 'HXB.TO.CZ', 'QM.HXB'],
    );
    assert.deepEqual(bank.window, { open: '08:30', close: '17:00' });
    assert.deepEqual(bank.programs, []);
  });

  it('refuses bad input naming the field', () => {
    assert.match(issues({ ...input, code: 'hxb' }).join(), /^input\.code: a bank code/);
    assert.match(
      issues({ ...input, frontEnd: { host: '10.8.1.20', port: 0 } }).join(),
      /input\.frontEnd\.port: /,
    );
    // A host that could close the CONNAME quote and smuggle MQSC in.
    assert.match(
      issues({ ...input, frontEnd: { host: "x') STOP", port: 1 } }).join(),
      /input\.frontEnd\.host: /,
    );
    assert.match(
      issues({ ...input, window: { open: '18:00', close: '08:00' } }).join(),
      /input\.window\.close: /,
    );
    assert.match(
      issues({ ...input, senderChannel: 'CZ.TO.A.VERY.LONG.NAME' }).join(),
      /input\.senderChannel: /,
    );
    assert.match(
      issues({ ...input, receiverChannel: 'CZ.TO.HXB' }).join(),
      /input\.receiverChannel: must differ/,
    );
    assert.match(
      issues({ ...input, programs: [{ name: 'p', pidFile: 'run/p.pid' }] }).join(),
      /input\.programs\[0\]/,
    );
    assert.match(issues({ ...input, colour: 'red' }).join(), /input\.colour: not a field/);
  });

  it('refuses what clashes with the estate, naming the field', () => {
    const known: EstateBanks = {
      financeQmgr: 'QM.CZ',
      addedBanksDir: '/var/lib/jincai/banks',
      pidDirs: ['/run/jincai'],
      banks: [
        {
          code: 'ICBC',
          name: '工商银行',
          qmgr: 'QM.ICBC',
          senderChannel: 'CZ.TO.ICBC',
          receiverChannel: 'ICBC.TO.CZ',
          xmitq: 'QM.ICBC',
          frontEnd: { host: '10.8.1.20', port: 1414 },
        },
      ],
    };
    const parse = (raw: object) => addAgentBankInputSchema.parse({ ...input, ...raw });
    assert.deepEqual(clashProblems(parse({ frontEnd: { host: '10.8.1.21', port: 1414 } }), known), []);
    assert.deepEqual(clashProblems(parse({ code: 'ICBC' }), known), [
      'input.code: bank code "ICBC" is already in the estate (工商银行); expected a new code',
    ]);
    const clashing = clashProblems(
      parse({
        qmgr: 'QM.ICBC',
        senderChannel: 'ICBC.TO.CZ',
        xmitq: 'QM.CZ',
        programs: [{ name: 'p', pidFile: '/tmp/p.pid' }],
      }),
      known,
    );
    assert.deepEqual(
      clashing.map((p) => p.split(':')[0]),
      [
        'input.qmgr',
        'input.senderChannel',
        'input.frontEnd.port',
        'input.programs[0].pidFile',
        'input.xmitq',
      ],
    );
  });
});

describe('add-agent-bank verification', () => {
  const push = (status: string, reason: string | null = null): BaseDataPushState => ({
    pushId: `onboard/HXB/ab12cd34/${status}`,
    kind: 'payee_account',
    version: 9,
    status,
    acked: status === 'acked' ? 9 : 0,
    reason,
  });

  it('goes on only when the bank acknowledged every base-data push', () => {
    assert.equal(baseDataUnverified([push('acked')], 60), undefined);
    assert.deepEqual(baseDataUnverified([push('acked'), push('rejected', '版本不连续'), push('sent')], 60), {
      outcome: 'not-verified',
      why: [
        '银行拒收基础资料 payee_account v9：版本不连续',
        '基础资料 payee_account v9 在 60 秒内未获银行确认（状态 sent）',
      ],
    });
  });

  it('tells a test message the bank did not answer from one that never left', () => {
    assert.deepEqual(
      [testMessageStatus(true, 1), testMessageStatus(false, 1), testMessageStatus(false, 0)],
      ['answered', 'sent', 'pending_send'],
    );
    const test = (status: 'answered' | 'sent' | 'pending_send') => ({
      queryId: testQueryId,
      voucherNo: 'CSHXBAB12CD34',
      status,
      answer: null,
    });
    assert.equal(testMessageUnverified(bank, test('answered'), 'RUNNING', 60), undefined);
    assert.match(
      testMessageUnverified(bank, test('sent'), 'INACTIVE', 60)?.why.join() ?? '',
      /60 秒内未收到银行应答（HXB\.TO\.CZ：INACTIVE）/,
    );
    assert.match(
      testMessageUnverified(bank, test('pending_send'), 'INACTIVE', 60)?.why.join() ?? '',
      /未由收发程序发出/,
    );
  });

  it('adds the bank only once the workers of both zones see it', () => {
    assert.equal(registeredEnd(bank, ['runbooks', 'comm']).outcome, 'added');
    const unseen = registeredEnd(bank, ['runbooks']);
    assert.equal(unseen.outcome, 'not-verified');
    assert.match(unseen.why.join(), /已登记，但通讯区工作进程还看不到该行/);
  });
});

describe('add-agent-bank MQSC', () => {
  it('defines exactly what an operator would type, in order, each with REPLACE', () => {
    assert.deepEqual(objects.map(mqscFor), [
      "DEFINE QLOCAL(QM.HXB) USAGE(XMITQ) DESCR('Transmission queue to HXB') TRIGGER TRIGTYPE(FIRST) TRIGDATA(CZ.TO.HXB) INITQ(SYSTEM.CHANNEL.INITQ) REPLACE",
      "DEFINE CHANNEL(CZ.TO.HXB) CHLTYPE(SDR) TRPTYPE(TCP) CONNAME('10.8.1.20(1414)') XMITQ(QM.HXB) DESCR('Finance to HXB') REPLACE",
      "DEFINE CHANNEL(HXB.TO.CZ) CHLTYPE(RCVR) TRPTYPE(TCP) DESCR('HXB to finance') REPLACE",
      "DEFINE QREMOTE(PAY.TO.HXB) RNAME(PAY.IN) RQMNAME(QM.HXB) XMITQ(QM.HXB) DESCR('Messages to HXB') REPLACE",
      "DEFINE QLOCAL(PAY.FROM.HXB) DESCR('Messages from HXB') REPLACE",
    ]);
  });

  it('compares what the queue manager holds with what the plan wants', () => {
    const [xmitq, sdr] = objects as [MqObjectSpec, MqObjectSpec];
    const asPlanned = {
      QUEUE: 'QM.HXB',
      TYPE: 'QLOCAL',
      USAGE: 'XMITQ',
      TRIGGER: '',
      TRIGDATA: 'CZ.TO.HXB',
      INITQ: 'SYSTEM.CHANNEL.INITQ',
    };
    assert.equal(compareObject(xmitq, asPlanned).state, 'same');
    const { TRIGGER: _t, ...untriggered } = asPlanned;
    assert.deepEqual(compareObject(xmitq, { ...untriggered, NOTRIGGER: '' }).differences, [
      'NOTRIGGER ≠ TRIGGER',
    ]);
    assert.equal(compareObject(xmitq, { QUEUE: 'QM.HXB', TYPE: 'QREMOTE' }).state, 'different');
    const wrongPort = compareObject(sdr, {
      CHANNEL: 'CZ.TO.HXB',
      CHLTYPE: 'SDR',
      CONNAME: '10.8.1.20(1415)',
      XMITQ: 'QM.HXB',
    });
    assert.deepEqual(wrongPort.differences, ['CONNAME: 10.8.1.20(1415) ≠ 10.8.1.20(1414)']);
  });
});

describe('add-agent-bank readiness', () => {
  it('is ready when the bank side is up and nothing of finance is in the way', () => {
    const r = assessReadiness(bank, survey());
    assert.equal(r.kind, 'ready');
  });

  it('is not ready while the bank has not brought its side online, and says what is missing', () => {
    const r = assessReadiness(
      bank,
      survey({
        frontEnd: { method: 'tcp', reachable: false, detail: '10.8.1.20:1414 连接失败（ECONNREFUSED）' },
        bankSide: { access: true, reachable: true, detail: '', receiverDefined: false, senderDefined: true },
        programs: { programs: [{ name: '收发程序-HXB', running: false, detail: 'no pid file' }] },
      }),
    );
    assert.equal(r.kind, 'not-ready');
    assert.deepEqual(r.kind === 'not-ready' && r.why, [
      '银行前置机不可达：10.8.1.20:1414 连接失败（ECONNREFUSED）',
      '银行队列管理器 QM.HXB 上还没有接收通道 CZ.TO.HXB（RCVR）',
      '收发程序 收发程序-HXB 未运行：no pid file',
    ]);
  });

  it('stops on a conflicting object or a treasury row under another name, before anything else', () => {
    const objs = survey().objects.map((o, i) =>
      i === 1 ? { ...o, state: 'different' as const, differences: ['CONNAME: a(1) ≠ 10.8.1.20(1414)'] } : o,
    );
    const r = assessReadiness(
      bank,
      survey({
        objects: objs,
        frontEnd: { method: 'tcp', reachable: false, detail: 'down' },
        treasury: {
          ...survey().treasury,
          agentBank: { name: '华夏', active: 1, createdAt: '2026-01-01T00:00:00Z' },
        },
      }),
    );
    assert.equal(r.kind, 'conflict');
    assert.equal(r.kind === 'conflict' && r.why.length, 2);
  });

  it('a re-run after a partial run notes what is there and does only the rest', () => {
    const s = survey({
      objects: objects.map((o) => ({ ...compareObject(o, null), state: 'same' as const })),
      treasury: {
        ...survey().treasury,
        agentBank: { name: '华夏银行', active: 1, createdAt: '2026-11-27T02:00:00Z' },
        versions: [
          { kind: 'budget_unit', current: 4, sent: 4, acked: 4 },
          { kind: 'payee_account', current: 9, sent: 9, acked: 0 },
        ],
      },
    });
    const r = assessReadiness(bank, s);
    assert.equal(r.kind, 'ready');
    assert.equal(r.kind === 'ready' && r.notes.length, 6);
    const steps = treasurySteps(bank, s, 'ab12cd34', testPrefix);
    assert.equal(steps.insertAgentBank, false);
    assert.deepEqual(steps.insertVersions, [{ kind: 'subject', version: 2 }]);
    assert.deepEqual(
      steps.pushes.map((p) => [p.pushId, p.version]),
      [
        ['onboard/HXB/ab12cd34/payee_account', 9],
        ['onboard/HXB/ab12cd34/subject', 2],
      ],
    );
    assert.deepEqual(steps.testQuery, {
      subject: 'voucher',
      queryId: testQueryId,
      voucherNo: 'CSHXBAB12CD34',
    });
  });
});

describe('add-agent-bank plan', () => {
  const file = { path: '/srv/jincai/added-banks/HXB.yaml', content: 'code: HXB\n' };
  const planOf = (s: OnboardingSurvey) =>
    onboardingPlan({
      bank,
      objects,
      survey: s,
      steps: treasurySteps(bank, s, 'ab12cd34', testPrefix),
      notes: [],
      bankFile: file,
    });

  it('lists every MQSC, SQL statement and the file, verbatim', () => {
    const plan = planOf(survey());
    assert.deepEqual(
      plan.actions.map((a) => a.kind),
      [
        'mqsc',
        'mqsc',
        'mqsc',
        'mqsc',
        'mqsc',
        'mqsc',
        'sql',
        'sql',
        'sql',
        'sql',
        'sql',
        'sql',
        'sql',
        'sql',
        'file',
      ],
    );
    assert.equal(plan.actions[5]?.command, 'START CHANNEL(CZ.TO.HXB)');
    assert.equal(
      plan.actions[6]?.command,
      "INSERT INTO agent_banks (code, name, active, created_at) VALUES ('HXB', '华夏银行', 1, :now)",
    );
    assert.equal(
      plan.actions[10]?.command,
      "INSERT INTO base_data_pushes (push_id, bank_code, kind, version, status, requested_at) VALUES ('onboard/HXB/ab12cd34/budget_unit', 'HXB', 'budget_unit', 4, 'pending_send', :now)",
    );
    assert.equal(
      plan.actions[13]?.command,
      sql.query('HXB', { subject: 'voucher', queryId: testQueryId, voucherNo: 'CSHXBAB12CD34' }),
    );
    assert.ok(
      plan.actions[13]?.command.includes(`'{"voucherNo":"CSHXBAB12CD34","queryId":"${testQueryId}"}'`),
      plan.actions[13]?.command,
    );
    assert.deepEqual(plan.actions[14], {
      kind: 'file',
      target: file.path,
      command: file.content,
      description: plan.actions[14]?.description,
    });
    assert.match(plan.findings.map((f) => f.zh).join('\n'), /收款人账户 v9（80 条）/);
  });

  it('binds to what stays put: a second look with another TCP latency gives the same digest', () => {
    const later = survey({
      frontEnd: { method: 'tcp', reachable: true, detail: '10.8.1.20:1414 连接成功（41 ms）' },
    });
    assert.equal(planDigest(planOf(survey())), planDigest(planOf(later)));
    const moved = survey({
      treasury: {
        ...survey().treasury,
        baseData: { ...survey().treasury.baseData, subject: { version: 3, records: 19 } },
      },
    });
    assert.notEqual(planDigest(planOf(survey())), planDigest(planOf(moved)), 'new base data is a new plan');
  });
});
