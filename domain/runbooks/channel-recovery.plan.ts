/**
 * Channel recovery's judgement, as pure functions: from the diagnosis to what to do, and from
 * the steps to the plan an approver reads. Kept out of the workflow so every branch is unit-tested.
 */
import type { ApprovalPlan, PlanAction } from '../approvals/gate-types.ts';
import type { RecoveryDecision, RecoveryDiagnosis, RecoveryStep } from './channel-recovery.types.ts';

/** States in which the sender is trying but not moving messages: stop it, then start it clean. */
const stuck = [
  'RETRYING',
  'BINDING',
  'STARTING',
  'INITIALIZING',
  'REQUESTING',
  'PAUSED',
  'SWITCHING',
  'STOPPING',
];

/**
 * The return direction: the bank's sender, seen when the site may administer the bank's queue
 * manager. A sender with nothing to send is INACTIVE, which is normal; stopped or stuck is not.
 */
function returnSteps(d: RecoveryDiagnosis): RecoveryStep[] {
  const status = d.bankSender?.status;
  if (status === 'STOPPED') return ['start-return'];
  if (status !== undefined && stuck.includes(status)) return ['stop-return', 'start-return'];
  return [];
}

export function decideRecovery(
  d: RecoveryDiagnosis,
  options: { returnDirection: boolean } = { returnDirection: true },
): RecoveryDecision {
  const s = d.sender;
  const back = options.returnDirection ? returnSteps(d) : [];
  const backWhy = d.bankSender
    ? `；银行端发送通道 ${d.bankSender.channel} 处于 ${d.bankSender.status} 状态`
    : '';
  if (s.indoubt) {
    return {
      kind: 'other-runbook',
      runbook: 'sequence-resync',
      why: `${d.channel} 有未决批次（INDOUBT），须经序列号重置流程单独审批处理`,
    };
  }
  const r = d.bankReceiver;
  if (
    s.status !== 'RUNNING' &&
    r?.lastSeq !== undefined &&
    s.lastSeq !== undefined &&
    r.lastSeq !== s.lastSeq
  ) {
    return {
      kind: 'other-runbook',
      runbook: 'sequence-resync',
      why: `两端序列号不一致（财政端 ${s.lastSeq}，银行端 ${r.lastSeq}），重启通道无法恢复，须做序列号重置`,
    };
  }
  if (s.status === 'RUNNING' && back.length > 0)
    return { kind: 'act', steps: back, why: `${d.channel} 运行正常${backWhy}` };
  if (s.status === 'RUNNING')
    return { kind: 'healthy', why: `${d.channel} 运行正常（传输队列深度 ${d.xmitqDepth}）` };
  const reachable = d.tcp.reachable && (d.ping?.reachable ?? true);
  if (!reachable) {
    return {
      kind: 'bank-side',
      why: `银行前置机不可达（${[d.ping?.detail, d.tcp.detail].filter(Boolean).join('；')}），问题在银行侧或网络，需要联系银行`,
    };
  }
  if (stuck.includes(s.status)) {
    return {
      kind: 'act',
      steps: ['stop', 'start', ...back],
      why: `${d.channel} 处于 ${s.status} 状态，而银行前置机已可达${back.length ? backWhy : ''}`,
    };
  }
  return {
    kind: 'act',
    steps: ['start', ...back],
    why: `${d.channel} 处于 ${s.status} 状态，银行前置机可达${back.length ? backWhy : ''}`,
  };
}

export function mqscFor(step: RecoveryStep, channel: string): string {
  return step === 'stop' || step === 'stop-return'
    ? `STOP CHANNEL(${channel}) MODE(QUIESCE)`
    : `START CHANNEL(${channel})`;
}

/** Where a step runs: finance's queue manager and sender, or the bank's. */
export function stepTarget(d: RecoveryDiagnosis, step: RecoveryStep): { qmgr: string; channel: string } {
  if (step === 'stop' || step === 'start') return { qmgr: d.qmgr, channel: d.channel };
  // A bug if reached: a plain Error fails the workflow task, retried until a fixed build is deployed.
  if (!d.bankSender) throw new Error(`${step} needs the bank's sender in the diagnosis`);
  return { qmgr: d.bankSender.qmgr, channel: d.bankSender.channel };
}

const stepText: Record<RecoveryStep, { zh: string; en: string }> = {
  stop: { zh: '停止发送通道（处理完当前批次后停止）', en: 'Stop the sender channel after the current batch' },
  start: { zh: '启动发送通道', en: 'Start the sender channel' },
  'stop-return': {
    zh: '停止银行端发送通道（银行至财政方向，处理完当前批次后停止）',
    en: "Stop the bank's sender channel (bank to finance) after the current batch",
  },
  'start-return': {
    zh: '启动银行端发送通道（银行至财政方向）',
    en: "Start the bank's sender channel (bank to finance)",
  },
};

export function recoveryPlan(
  d: RecoveryDiagnosis,
  steps: RecoveryStep[],
  why: string,
  reason?: string,
): ApprovalPlan {
  const actions: PlanAction[] = steps.map((step) => {
    const { qmgr, channel } = stepTarget(d, step);
    return { kind: 'mqsc', target: qmgr, command: mqscFor(step, channel), description: stepText[step] };
  });
  return {
    runbook: 'channel-recovery',
    title: { zh: `恢复${d.bankName}通道 ${d.channel}`, en: `Recover ${d.bank} channel ${d.channel}` },
    bank: { code: d.bank, name: d.bankName },
    channel: d.channel,
    findings: [
      { zh: why, en: `${d.channel} is ${d.sender.status}; the bank's front end is reachable` },
      {
        zh: `传输队列 ${d.qmgr} 上积压 ${d.xmitqDepth} 条消息`,
        en: `${d.xmitqDepth} messages wait on the transmission queue`,
      },
      ...(reason ? [{ zh: `发起原因：${reason}`, en: `Reason given: ${reason}` }] : []),
    ],
    actions,
  };
}
