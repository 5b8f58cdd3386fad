/**
 * How adding an agent bank ends, and why, in the words its report and its escalation carry: the
 * ends before any change (not approved, a plan that kept moving) and each verification after one —
 * the base data acknowledged, the test message answered, every zone's workers seeing the bank.
 * Pure.
 */
import type {
  AddAgentBankOutcome,
  BaseDataPushState,
  NewBank,
  TestMessageState,
} from './add-agent-bank.types.ts';

/** How a run ended and why. */
export interface OnboardingEnd {
  outcome: AddAgentBankOutcome;
  why: string[];
}

/** A plan not acted on: a dry run stops at it; an approver refused it; nobody decided in time. */
export const notApprovedWhy: Record<'planned' | 'rejected' | 'expired', string> = {
  planned: '演练：只生成计划，未做任何变更',
  rejected: '审批人驳回了计划',
  expired: '审批超时，未做任何变更',
};

/** The plan differed at every look before execution. */
export function unstablePlan(rounds: number): OnboardingEnd {
  return {
    outcome: 'plan-unstable',
    why: [`执行前复核 ${rounds} 次，计划每次都不同：请查明是谁在同时改动`],
  };
}

/** Ends a person must take up: the bank's side not ready, finance's side in the way, or a change not verified. */
export function needsPeople(outcome: AddAgentBankOutcome): boolean {
  return outcome === 'not-ready' || outcome === 'conflict' || outcome === 'not-verified';
}

/** Base data the bank rejected or did not acknowledge within the wait; none: all acknowledged. */
export function baseDataUnverified(
  states: readonly BaseDataPushState[],
  waitSeconds: number,
): OnboardingEnd | undefined {
  const unacked = states.filter((p) => p.status !== 'acked');
  if (unacked.length === 0) return undefined;
  return {
    outcome: 'not-verified',
    why: unacked.map((p) =>
      p.status === 'rejected'
        ? `银行拒收基础资料 ${p.kind} v${p.version}：${p.reason ?? '无说明'}`
        : `基础资料 ${p.kind} v${p.version} 在 ${waitSeconds} 秒内未获银行确认（状态 ${p.status}）`,
    ),
  };
}

/** Where the test message got to: answered, sent by the send/receive program, or not sent. */
export function testMessageStatus(answered: boolean, sent: number): TestMessageState['status'] {
  return answered ? 'answered' : sent ? 'sent' : 'pending_send';
}

/** A test message without the bank's answer; none: answered. `receiver` is the return channel's status. */
export function testMessageUnverified(
  bank: NewBank,
  test: TestMessageState,
  receiver: string,
  waitSeconds: number,
): OnboardingEnd | undefined {
  if (test.status === 'answered') return undefined;
  return {
    outcome: 'not-verified',
    why: [
      test.status === 'sent'
        ? `测试报文已发出，${waitSeconds} 秒内未收到银行应答（${bank.receiverChannel}：${receiver}）`
        : `测试报文 ${waitSeconds} 秒内未由收发程序发出（状态 ${test.status}）`,
    ],
  };
}

/** Added once the workers of both zones, the runbooks' and the comm zone's, see the bank. */
export function registeredEnd(bank: NewBank, seenBy: readonly string[]): OnboardingEnd {
  if (seenBy.length < 2) {
    const unseen = `${seenBy.includes('runbooks') ? '' : '流程工作进程、'}${seenBy.includes('comm') ? '' : '通讯区工作进程'}`;
    return {
      outcome: 'not-verified',
      why: [`已登记，但${unseen}还看不到该行：各区工作进程须读同一个 addedBanksDir`],
    };
  }
  return {
    outcome: 'added',
    why: [
      `${bank.name}（${bank.code}）已开通：通道两个方向都有报文往来，基础资料已获确认，已纳入巡检与定时任务`,
    ],
  };
}
