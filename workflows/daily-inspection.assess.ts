/**
 * Turns one bank's raw check results into traffic lights and findings, each finding naming
 * the runbook that fixes it. Pure and deterministic: runs inside the workflow.
 */
import type {
  BankInspection,
  ChannelsCheck,
  Finding,
  FrontEndCheck,
  InspectionCheck,
  Light,
  ProgramsCheck,
  QueuesCheck,
  TrafficCheck,
  TrafficKind,
} from '../domain/runbooks/daily-inspection.types.ts';

export interface Thresholds {
  xmitqDepthWarn: number;
  deadLetterDepthWarn: number;
}

const rank: Record<Light, number> = { skipped: 0, green: 1, yellow: 2, red: 3 };
export function worst(lights: Light[]): Light {
  return lights.reduce<Light>((a, b) => (rank[b] > rank[a] ? b : a), 'green');
}

type Draft = Omit<Finding, 'bank' | 'check'>;

export function assessChannels(c: ChannelsCheck): Draft[] {
  const found: Draft[] = [];
  const s = c.sender;
  const seqEvidence = {
    channel: s.channel,
    status: s.status,
    financeLastSeq: s.lastSeq ?? -1,
    bankLastSeq: c.bankReceiver?.lastSeq ?? -1,
  };
  if (s.status === 'RETRYING') {
    found.push({
      light: 'red',
      code: 'CHANNEL_RETRYING',
      summary: `发送通道 ${s.channel} 处于重试状态（RETRYING），无法连接银行前置机`,
      fixRunbook: 'channel-recovery',
      evidence: { channel: s.channel, status: s.status, substate: s.substate ?? '' },
    });
  } else if (s.status === 'STOPPED') {
    const bankSeq = c.bankReceiver?.lastSeq;
    if (s.indoubt) {
      found.push({
        light: 'red',
        code: 'CHANNEL_IN_DOUBT',
        summary: `发送通道 ${s.channel} 已停止且存在未决批次（INDOUBT）`,
        fixRunbook: 'sequence-resync',
        evidence: seqEvidence,
      });
    } else if (bankSeq !== undefined && s.lastSeq !== undefined && bankSeq !== s.lastSeq) {
      found.push({
        light: 'red',
        code: 'SEQUENCE_MISMATCH',
        summary: `发送通道 ${s.channel} 因序列号不一致停止（财政端 ${s.lastSeq}，银行端 ${bankSeq}，AMQ9526）`,
        fixRunbook: 'sequence-resync',
        evidence: seqEvidence,
      });
    } else {
      found.push({
        light: 'red',
        code: 'CHANNEL_STOPPED',
        summary: `发送通道 ${s.channel} 已停止（STOPPED）`,
        fixRunbook: 'channel-recovery',
        evidence: { channel: s.channel, status: s.status },
      });
    }
  } else if (!['RUNNING', 'INACTIVE'].includes(s.status)) {
    found.push({
      light: 'yellow',
      code: 'CHANNEL_TRANSITIONAL',
      summary: `发送通道 ${s.channel} 状态为 ${s.status}`,
      fixRunbook: 'channel-recovery',
      evidence: { channel: s.channel, status: s.status },
    });
  }
  for (const end of [c.receiver, c.bankSender].filter((e) => e !== undefined)) {
    if (end.status === 'STOPPED' || end.status === 'RETRYING') {
      found.push({
        light: 'red',
        code: end.chltype === 'RCVR' ? 'RECEIVER_STOPPED' : 'BANK_SENDER_DOWN',
        summary: `${end.qmgr} 上的通道 ${end.channel}（${end.chltype}）状态为 ${end.status}`,
        fixRunbook: 'channel-recovery',
        evidence: { qmgr: end.qmgr, channel: end.channel, status: end.status },
      });
    }
  }
  return found;
}

export function assessQueues(q: QueuesCheck, senderStatus: string | undefined, t: Thresholds): Draft[] {
  const found: Draft[] = [];
  const { depth } = q.xmitq;
  const stuck = depth > 0 && senderStatus !== undefined && senderStatus !== 'RUNNING';
  if (depth >= t.xmitqDepthWarn || stuck) {
    found.push({
      light: stuck ? 'red' : 'yellow',
      code: 'XMITQ_BACKLOG',
      summary: `传输队列 ${q.xmitq.queue} 积压 ${depth} 条消息${stuck ? '，通道未运行' : ''}`,
      fixRunbook: 'channel-recovery',
      evidence: { qmgr: q.xmitq.qmgr, queue: q.xmitq.queue, depth },
    });
  }
  if (q.deadLetter && q.deadLetter.depth >= t.deadLetterDepthWarn && q.deadLetter.depth > 0) {
    found.push({
      light: 'red',
      code: 'DEAD_LETTERS',
      summary: `死信队列 ${q.deadLetter.queue}（${q.deadLetter.qmgr}）有 ${q.deadLetter.depth} 条消息`,
      fixRunbook: 'voucher-resend',
      evidence: { qmgr: q.deadLetter.qmgr, queue: q.deadLetter.queue, depth: q.deadLetter.depth },
    });
  }
  return found;
}

export function assessFrontEnd(f: FrontEndCheck): Draft[] {
  if (f.reachable) return [];
  return [
    {
      light: 'red',
      code: 'FRONT_END_UNREACHABLE',
      summary: `银行前置机不可达（${f.method === 'ping' ? 'PING CHANNEL 失败' : 'TCP 连接失败'}）：${f.detail}`,
      fixRunbook: 'channel-recovery',
      evidence: { method: f.method, detail: f.detail },
    },
  ];
}

export function assessPrograms(p: ProgramsCheck): Draft[] {
  return p.programs
    .filter((prog) => !prog.running)
    .map((prog) => ({
      light: 'red' as const,
      code: 'PROGRAM_DEAD',
      summary: `收发程序 ${prog.name} 未运行：${prog.detail}`,
      fixRunbook: 'program-restart' as const,
      evidence: { program: prog.name, detail: prog.detail },
    }));
}

const trafficLabels: Record<TrafficKind, string> = {
  direct_payment: '直接支付凭证',
  authorized_payment: '授权支付凭证',
  quota_notice: '额度通知单',
  receipt: '回单',
  recon_file: '对账文件',
  daily_report: '日报',
  payment_list: '清单',
};

export function assessTraffic(t: TrafficCheck, programsDead: boolean): Draft[] {
  const found: Draft[] = [];
  if (t.unsentBacklog > 0) {
    found.push({
      light: 'red',
      code: 'SEND_BACKLOG',
      summary: `有 ${t.unsentBacklog} 笔凭证或通知单提交后超时未发送`,
      fixRunbook: programsDead ? 'program-restart' : 'voucher-resend',
      evidence: { unsent: t.unsentBacklog },
    });
  }
  found.push(...assessReconciliation(t));
  for (const line of t.lines) {
    if (line.actual === line.expected) continue;
    const missingReport = ['daily_report', 'payment_list', 'recon_file'].includes(line.kind);
    const date = missingReport ? t.reportDate : t.date;
    found.push({
      light: missingReport || line.actual < line.expected ? 'red' : 'yellow',
      code: `${line.kind.toUpperCase()}_${line.actual < line.expected ? 'MISSING' : 'SURPLUS'}`,
      summary: `${date} ${trafficLabels[line.kind]}：应有 ${line.expected}，实有 ${line.actual}`,
      fixRunbook: fixForTraffic(line.kind),
      evidence: { kind: line.kind, date, expected: line.expected, actual: line.actual },
    });
  }
  return found;
}

const reconKinds: Record<string, string> = {
  'payment-detail': '支付明细对账',
  payment: '支付对账',
  quota: '额度对账',
};

/** Where bank reconciliation has compared the report day's statements: a statement that differs or could not be read. */
function assessReconciliation(t: TrafficCheck): Draft[] {
  const open = (t.reconciliation ?? []).filter((r) => r.result !== 'agreed');
  const [first] = open;
  if (!first) return [];
  const words = open.map((r) =>
    r.result === 'unreadable'
      ? `${reconKinds[r.kind] ?? r.kind}对账单无法读取`
      : `${reconKinds[r.kind] ?? r.kind}不符 ${r.diffNum} 笔`,
  );
  return [
    {
      light: open.some((r) => r.result === 'unreadable') ? 'red' : 'yellow',
      code: 'RECONCILIATION_DIFFERS',
      summary: `${t.reportDate} 银行对账：${words.join('；')}`,
      fixRunbook: 'bank-reconciliation',
      evidence: { date: t.reportDate, kind: first.kind, statements: words.join('；') },
    },
  ];
}

function fixForTraffic(kind: TrafficKind): Finding['fixRunbook'] {
  switch (kind) {
    case 'daily_report':
    case 'payment_list':
      return 'daily-report-check';
    case 'recon_file':
      return 'bank-reconciliation';
    case 'receipt':
      return 'receipt-registration-repair';
    default:
      return 'voucher-resend';
  }
}

/** Fills in lights and findings of a bank whose raw check results are set. */
export function assessBank(b: BankInspection, t: Thresholds): BankInspection {
  const byCheck: Partial<Record<InspectionCheck, Draft[]>> = {};
  if (b.channels) byCheck.channels = assessChannels(b.channels);
  if (b.queues) byCheck.queues = assessQueues(b.queues, b.channels?.sender.status, t);
  if (b.frontEnd) byCheck.frontEnd = assessFrontEnd(b.frontEnd);
  if (b.programs) byCheck.programs = assessPrograms(b.programs);
  if (b.traffic) {
    const dead = (b.programs?.programs ?? []).some((p) => !p.running);
    byCheck.traffic = assessTraffic(b.traffic, dead);
  }
  const findings: Finding[] = [];
  const checks = { ...b.checks };
  for (const [check, drafts] of Object.entries(byCheck) as [InspectionCheck, Draft[]][]) {
    findings.push(...drafts.map((d) => ({ ...d, bank: b.bank, check })));
    checks[check] = { light: worst(drafts.map((d) => d.light)) };
  }
  const light = worst(Object.values(checks).map((c) => c.light));
  return { ...b, checks, findings, light };
}
