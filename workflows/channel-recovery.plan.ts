/**
 * Channel recovery's judgement, as pure functions: from the diagnosis to what to do, and from
 * the steps to the plan an approver reads. Kept out of the workflow so every branch is unit-tested.
 */
import type { ApprovalPlan, PlanAction } from './shared/approval-messages.ts';
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

export function decideRecovery(d: RecoveryDiagnosis): RecoveryDecision {
  const s = d.sender;
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
      steps: ['stop', 'start'],
      why: `${d.channel} 处于 ${s.status} 状态，而银行前置机已可达`,
    };
  }
  return { kind: 'act', steps: ['start'], why: `${d.channel} 处于 ${s.status} 状态，银行前置机可达` };
}

export function mqscFor(step: RecoveryStep, channel: string): string {
  return step === 'stop' ? `STOP CHANNEL(${channel}) MODE(QUIESCE)` : `START CHANNEL(${channel})`;
}

const stepText: Record<RecoveryStep, { zh: string; en: string }> = {
  stop: { zh: '停止发送通道（处理完当前批次后停止）', en: 'Stop the sender channel after the current batch' },
  start: { zh: '启动发送通道', en: 'Start the sender channel' },
};

export function recoveryPlan(
  d: RecoveryDiagnosis,
  steps: RecoveryStep[],
  why: string,
  reason?: string,
): ApprovalPlan {
  const actions: PlanAction[] = steps.map((step) => ({
    kind: 'mqsc',
    target: d.qmgr,
    command: mqscFor(step, d.channel),
    description: stepText[step],
  }));
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
