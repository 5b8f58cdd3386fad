/**
 * Adding an agent bank, as pure functions: the MQ objects finance defines for the bank and their
 * exact MQSC, how a surveyed object compares with what the plan wants, whether the bank is ready
 * (or something in the way), which treasury rows and messages the run needs, and the plan an
 * approver reads — every MQSC command, SQL statement and file, verbatim. Unit-tested; shared by
 * the workflow and the activities that execute the same text.
 */
import type { ApprovalPlan, Bilingual, PlanAction } from '../approvals/gate-types.ts';
import { questionFor, statusQueryBody } from '../bank-questions.ts';
import { baseDataKinds, type BaseDataKind } from '../base-data.ts';
import { voucherRulesOf, voucherRuleSetText } from '../vouchers/rule-sets.ts';
import type {
  AddAgentBankParsed,
  MqObjectSpec,
  MqObjectSurvey,
  NewBank,
  OnboardingSurvey,
  Readiness,
  TreasurySteps,
} from './add-agent-bank.types.ts';

export const channelInitq = 'SYSTEM.CHANNEL.INITQ';

const kindLabel: Record<BaseDataKind, Bilingual> = {
  budget_unit: { zh: '预算单位', en: 'budget units' },
  payee_account: { zh: '收款人账户', en: 'payee accounts' },
  subject: { zh: '预算科目', en: 'budget subjects' },
};

export function newBankOf(input: AddAgentBankParsed): NewBank {
  return {
    code: input.code,
    name: input.name,
    qmgr: input.qmgr,
    senderChannel: input.senderChannel,
    receiverChannel: input.receiverChannel,
    xmitq: input.xmitq,
    frontEnd: input.frontEnd,
    window: input.window,
    programs: input.programs,
    bankQmgrAccess: input.bankQmgrAccess,
    ...(input.voucherRules && { voucherRules: input.voucherRules }),
  };
}

/**
 * What finance defines on its queue manager, in order: the transmission queue (triggering the
 * sender), the sender and receiver channels, and the two queues the send/receive program uses —
 * PAY.TO.<B> (a remote queue onto the bank's in-queue) and PAY.FROM.<B> (where the bank's
 * messages arrive).
 */
export function mqObjects(bank: NewBank, bankInQueue: string): MqObjectSpec[] {
  const c = bank.code;
  return [
    { type: 'QLOCAL', name: bank.xmitq, descr: `Transmission queue to ${c}`, xmitqFor: bank.senderChannel },
    {
      type: 'SDR',
      name: bank.senderChannel,
      descr: `Finance to ${c}`,
      conname: `${bank.frontEnd.host}(${bank.frontEnd.port})`,
      xmitq: bank.xmitq,
    },
    { type: 'RCVR', name: bank.receiverChannel, descr: `${c} to finance` },
    {
      type: 'QREMOTE',
      name: `PAY.TO.${c}`,
      descr: `Messages to ${c}`,
      rname: bankInQueue,
      rqmname: bank.qmgr,
      xmitq: bank.xmitq,
    },
    { type: 'QLOCAL', name: `PAY.FROM.${c}`, descr: `Messages from ${c}` },
  ];
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The DEFINE an operator would type; REPLACE, so a repeated step redefines the same object. */
export function mqscFor(spec: MqObjectSpec): string {
  const descr = `DESCR(${quote(spec.descr)})`;
  switch (spec.type) {
    case 'QLOCAL':
      return spec.xmitqFor
        ? `DEFINE QLOCAL(${spec.name}) USAGE(XMITQ) ${descr} TRIGGER TRIGTYPE(FIRST) TRIGDATA(${spec.xmitqFor}) INITQ(${channelInitq}) REPLACE`
        : `DEFINE QLOCAL(${spec.name}) ${descr} REPLACE`;
    case 'QREMOTE':
      return `DEFINE QREMOTE(${spec.name}) RNAME(${spec.rname}) RQMNAME(${spec.rqmname}) XMITQ(${spec.xmitq}) ${descr} REPLACE`;
    case 'SDR':
      return `DEFINE CHANNEL(${spec.name}) CHLTYPE(SDR) TRPTYPE(TCP) CONNAME(${quote(spec.conname)}) XMITQ(${spec.xmitq}) ${descr} REPLACE`;
    case 'RCVR':
      return `DEFINE CHANNEL(${spec.name}) CHLTYPE(RCVR) TRPTYPE(TCP) ${descr} REPLACE`;
  }
}

/** The DISPLAY that shows whether the object exists, and as what. */
export function displayFor(spec: MqObjectSpec): string {
  return spec.type === 'SDR' || spec.type === 'RCVR'
    ? `DISPLAY CHANNEL(${spec.name}) ALL`
    : `DISPLAY QUEUE(${spec.name}) ALL`;
}

export function startMqsc(channel: string): string {
  return `START CHANNEL(${channel})`;
}

/** Compares an object found on the queue manager (null: not there) with what the plan defines. */
export function compareObject(spec: MqObjectSpec, found: Record<string, string> | null): MqObjectSurvey {
  const base = { name: spec.name, type: spec.type };
  if (!found) return { ...base, state: 'absent', differences: [] };
  const wanted: [string, string][] = [];
  const isChannel = spec.type === 'SDR' || spec.type === 'RCVR';
  wanted.push(isChannel ? ['CHLTYPE', spec.type] : ['TYPE', spec.type]);
  if (spec.type === 'QLOCAL') {
    wanted.push(['USAGE', spec.xmitqFor ? 'XMITQ' : 'NORMAL']);
    if (spec.xmitqFor) wanted.push(['TRIGDATA', spec.xmitqFor], ['INITQ', channelInitq]);
  } else if (spec.type === 'QREMOTE') {
    wanted.push(['RNAME', spec.rname], ['RQMNAME', spec.rqmname], ['XMITQ', spec.xmitq]);
  } else if (spec.type === 'SDR') {
    wanted.push(['CONNAME', spec.conname], ['XMITQ', spec.xmitq]);
  }
  const differences = wanted
    .filter(([key, value]) => (found[key] ?? '').trim() !== value)
    .map(([key, value]) => `${key}: ${found[key] ?? '（无）'} ≠ ${value}`);
  if (spec.type === 'QLOCAL' && spec.xmitqFor && !('TRIGGER' in found))
    differences.push('NOTRIGGER ≠ TRIGGER');
  return { ...base, state: differences.length ? 'different' : 'same', differences };
}

/** Whether the run may go on: the bank's side ready, nothing of finance's in the way. */
export function assessReadiness(bank: NewBank, s: OnboardingSurvey): Readiness {
  const conflicts: string[] = [];
  for (const o of s.objects.filter((o) => o.state === 'different')) {
    conflicts.push(`${s.financeQmgr} 上已有 ${o.name}，与计划的定义不同（${o.differences.join('；')}）`);
  }
  const row = s.treasury.agentBank;
  if (row && row.name !== bank.name) {
    conflicts.push(`国库支付数据库中已有代理银行 ${bank.code}，名称为「${row.name}」，不是「${bank.name}」`);
  }
  if (conflicts.length) return { kind: 'conflict', why: conflicts };

  const missing: string[] = [];
  if (!s.frontEnd.reachable) missing.push(`银行前置机不可达：${s.frontEnd.detail}`);
  if (s.bankSide.access) {
    if (!s.bankSide.reachable) missing.push(`无法访问银行队列管理器 ${bank.qmgr}：${s.bankSide.detail}`);
    else {
      if (!s.bankSide.receiverDefined)
        missing.push(`银行队列管理器 ${bank.qmgr} 上还没有接收通道 ${bank.senderChannel}（RCVR）`);
      if (!s.bankSide.senderDefined)
        missing.push(`银行队列管理器 ${bank.qmgr} 上还没有发送通道 ${bank.receiverChannel}（SDR）`);
    }
  }
  for (const p of s.programs.programs.filter((p) => !p.running)) {
    missing.push(`收发程序 ${p.name} 未运行：${p.detail}`);
  }
  if (missing.length) return { kind: 'not-ready', why: missing };

  const notes: string[] = [];
  for (const o of s.objects.filter((o) => o.state === 'same')) {
    notes.push(`${o.name} 已存在且定义一致（上次运行留下），REPLACE 不改变它`);
  }
  if (row) notes.push(`国库支付数据库中已有代理银行 ${bank.code}（${row.name}），不再插入`);
  if (!s.bankSide.access) notes.push(`未核对银行端通道定义（无权访问 ${bank.qmgr}）：由测试报文验证`);
  if (s.programs.programs.length === 0) notes.push('未登记收发程序：请确认收发程序已为该行部署');
  return { kind: 'ready', notes };
}

/**
 * The treasury rows and bank messages the run needs; ids carry the run so a re-run never collides
 * (the test message's query id is under `testPrefix`, the run's prefix for it).
 */
export function treasurySteps(
  bank: NewBank,
  s: OnboardingSurvey,
  runTag: string,
  testPrefix: string,
): TreasurySteps {
  const rowOf = (kind: BaseDataKind) => s.treasury.versions.find((v) => v.kind === kind);
  return {
    insertAgentBank: !s.treasury.agentBank,
    insertVersions: baseDataKinds
      .filter((kind) => !rowOf(kind))
      .map((kind) => ({ kind, version: s.treasury.baseData[kind].version })),
    pushes: baseDataKinds
      .filter((kind) => (rowOf(kind)?.acked ?? 0) < s.treasury.baseData[kind].version)
      .map((kind) => ({
        pushId: `onboard/${bank.code}/${runTag}/${kind}`,
        kind,
        version: s.treasury.baseData[kind].version,
        records: s.treasury.baseData[kind].records,
      })),
    testQuery: questionFor(testPrefix, {
      subject: 'voucher' as const,
      voucherNo: `CS${bank.code}${runTag.toUpperCase()}`,
    }),
  };
}

const lit = (v: string | number) => (typeof v === 'number' ? String(v) : quote(v));

/** The INSERTs the db-zone activities run (bound parameters there; values inline here, :now = the moment of execution). */
export const sql = {
  agentBank: (b: { code: string; name: string }) =>
    `INSERT INTO agent_banks (code, name, active, created_at) VALUES (${lit(b.code)}, ${lit(b.name)}, 1, :now)`,
  versions: (code: string, kind: BaseDataKind, version: number) =>
    `INSERT INTO base_data_versions (bank_code, kind, version_current, version_sent, version_acked, updated_at) VALUES (${lit(code)}, ${lit(kind)}, ${version}, 0, 0, :now)`,
  push: (code: string, p: TreasurySteps['pushes'][number]) =>
    `INSERT INTO base_data_pushes (push_id, bank_code, kind, version, status, requested_at) VALUES (${lit(p.pushId)}, ${lit(code)}, ${lit(p.kind)}, ${p.version}, 'pending_send', :now)`,
  query: (code: string, q: TreasurySteps['testQuery']) =>
    `INSERT INTO bank_queries (query_id, bank_code, subject, ref_no, body, status, requested_at) VALUES (${lit(q.queryId)}, ${lit(code)}, 'voucher', ${lit(q.voucherNo)}, ${lit(statusQueryBody(q))}, 'pending_send', :now)`,
};

export interface PlanArgs {
  bank: NewBank;
  objects: MqObjectSpec[];
  survey: OnboardingSurvey;
  steps: TreasurySteps;
  notes: string[];
  bankFile: { path: string; content: string };
  reason?: string;
}

export function onboardingPlan(a: PlanArgs): ApprovalPlan {
  const { bank, survey, steps } = a;
  const fin = survey.financeQmgr;
  const bd = survey.treasury.baseData;
  const baseDataLine = (lang: 'zh' | 'en') =>
    baseDataKinds
      .map((k) =>
        lang === 'zh'
          ? `${kindLabel[k].zh} v${bd[k].version}（${bd[k].records} 条）`
          : `${kindLabel[k].en} v${bd[k].version} (${bd[k].records})`,
      )
      .join(lang === 'zh' ? '、' : ', ');
  const objectText: Record<MqObjectSpec['type'], (name: string) => Bilingual> = {
    QLOCAL: (n) =>
      n === bank.xmitq
        ? { zh: `定义传输队列 ${n}（触发发送通道）`, en: `Define the transmission queue ${n}` }
        : { zh: `定义接收队列 ${n}（银行来报）`, en: `Define the local queue ${n} for the bank's messages` },
    QREMOTE: (n) => ({
      zh: `定义远程队列 ${n}（发往银行 ${bank.qmgr}）`,
      en: `Define the remote queue ${n} to ${bank.qmgr}`,
    }),
    SDR: (n) => ({ zh: `定义发送通道 ${n}（连接银行前置机）`, en: `Define the sender channel ${n}` }),
    RCVR: (n) => ({ zh: `定义接收通道 ${n}`, en: `Define the receiver channel ${n}` }),
  };
  const actions: PlanAction[] = [
    ...a.objects.map((o) => ({
      kind: 'mqsc' as const,
      target: fin,
      command: mqscFor(o),
      description: objectText[o.type](o.name),
    })),
    {
      kind: 'mqsc',
      target: fin,
      command: startMqsc(bank.senderChannel),
      description: { zh: '启动发送通道', en: 'Start the sender channel' },
    },
    ...(steps.insertAgentBank
      ? [
          {
            kind: 'sql' as const,
            target: 'treasury',
            command: sql.agentBank(bank),
            description: { zh: '登记代理银行', en: 'Register the agent bank' },
          },
        ]
      : []),
    ...steps.insertVersions.map((v) => ({
      kind: 'sql' as const,
      target: 'treasury',
      command: sql.versions(bank.code, v.kind, v.version),
      description: {
        zh: `建立${kindLabel[v.kind].zh}基础资料版本记录（当前 v${v.version}，尚未下发）`,
        en: `Base-data version row for ${kindLabel[v.kind].en} (current v${v.version}, not sent)`,
      },
    })),
    ...steps.pushes.map((p) => ({
      kind: 'sql' as const,
      target: 'treasury',
      command: sql.push(bank.code, p),
      description: {
        zh: `下发${kindLabel[p.kind].zh}（v${p.version}，${p.records} 条）：收发程序发出，等待银行确认`,
        en: `Push ${kindLabel[p.kind].en} (v${p.version}, ${p.records} records): the program sends, the bank acknowledges`,
      },
    })),
    {
      kind: 'sql',
      target: 'treasury',
      command: sql.query(bank.code, steps.testQuery),
      description: {
        zh: `测试报文：向银行发送状态查询（凭证号 ${steps.testQuery.voucherNo}），等待应答经 ${bank.receiverChannel} 返回`,
        en: `Test message: a status query to the bank; its answer must come back over ${bank.receiverChannel}`,
      },
    },
    {
      kind: 'file',
      target: a.bankFile.path,
      command: a.bankFile.content,
      description: {
        zh: '将该行登记到运维范围（巡检与定时任务自动包含，无需重启）',
        en: 'Register the bank in the estate (inspection and schedules pick it up, no restart)',
      },
    },
  ];
  const bankSide: Bilingual = !survey.bankSide.access
    ? {
        zh: '银行端通道：无权访问银行队列管理器，未核对',
        en: "The bank's channel ends were not checked (no access)",
      }
    : {
        zh: `银行端通道已就绪：${bank.qmgr} 上有 ${bank.senderChannel}（RCVR）与 ${bank.receiverChannel}（SDR）`,
        en: `The bank's ends are defined on ${bank.qmgr}`,
      };
  const programs = survey.programs.programs;
  return {
    runbook: 'add-agent-bank',
    title: { zh: `新增代理银行：${bank.name}（${bank.code}）`, en: `Add agent bank ${bank.code}` },
    bank: { code: bank.code, name: bank.name },
    channel: bank.senderChannel,
    findings: [
      {
        zh: `${bank.name}（${bank.code}）：前置机 ${bank.frontEnd.host}:${bank.frontEnd.port}，队列管理器 ${bank.qmgr}，业务时间 ${bank.window.open}–${bank.window.close}`,
        en: `${bank.code}: front end ${bank.frontEnd.host}:${bank.frontEnd.port}, queue manager ${bank.qmgr}, window ${bank.window.open}-${bank.window.close}`,
      },
      // Only what cannot change between two looks (no latency): the approval binds to this text.
      {
        zh: `银行前置机 ${bank.frontEnd.host}:${bank.frontEnd.port}：TCP 可达`,
        en: `The front end ${bank.frontEnd.host}:${bank.frontEnd.port} accepts TCP connections`,
      },
      bankSide,
      {
        zh: programs.length
          ? `收发程序：${programs.map((p) => `${p.name} ${p.running ? '运行中' : '未运行'}`).join('，')}`
          : '收发程序：未登记',
        en: programs.length ? `Programs: ${programs.map((p) => p.name).join(', ')}` : 'No program listed',
      },
      { zh: `基础资料：${baseDataLine('zh')}`, en: `Base data: ${baseDataLine('en')}` },
      {
        zh: `凭证要素规则：${voucherRuleSetText(voucherRulesOf(bank), 'zh')}${bank.voucherRules ? '' : '（按银行代码默认）'}`,
        en: `Voucher field rules: ${voucherRuleSetText(voucherRulesOf(bank), 'en')}${bank.voucherRules ? '' : ' (default for the code)'}`,
      },
      ...a.notes.map((n) => ({ zh: n, en: n })),
      ...(a.reason ? [{ zh: `发起原因：${a.reason}`, en: `Reason given: ${a.reason}` }] : []),
    ],
    actions,
  };
}
