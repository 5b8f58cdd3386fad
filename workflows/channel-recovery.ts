/**
 * 通道恢复 — channel recovery (catalog item 2, contract 2.1): diagnose the finance side's sender
 * channel to one bank (both ends' status, PING CHANNEL when not running, TCP to the bank's
 * front end), plan START CHANNEL or STOP then START, pass the approval gate, execute, verify
 * that messages flow (status RUNNING, transmission queue drained), and report. When the fault
 * is on the bank's side it changes nothing and escalates with the evidence. One recovery per
 * channel at a time (lock/channel/<name>).
 */
import {
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createControlActivities } from '../activities/control.ts';
import type { createHostActivities } from '../activities/host.ts';
import type { createMqActivities } from '../activities/mq.ts';
import { planDigest } from '../domain/approvals/decision.ts';
import type { ApprovalPlan, GateOutcome } from '../domain/approvals/gate-types.ts';
import type { ApprovalProof } from '../domain/approvals/proof.ts';
import type { ChannelActionResult } from '../domain/channel-action.ts';
import { isProofRefusal, parseInput } from '../domain/errors.ts';
import { decideRecovery, recoveryPlan, stepTarget } from '../domain/runbooks/channel-recovery.plan.ts';
import {
  channelRecoveryReport,
  type ChannelRecoveryReportFacts,
} from '../domain/runbooks/channel-recovery.report.ts';
import {
  channelRecoveryInputSchema,
  type ChannelRecoveryInput,
  type ChannelRecoveryOutcome,
  type ChannelRecoveryResult,
  type RecoveryDecision,
  type RecoveryDiagnosis,
  type RecoveryStep,
} from '../domain/runbooks/channel-recovery.types.ts';
import { createApprovalGate } from './shared/approval-gate.ts';
import { acquireLock, type HeldLock } from './shared/locks.ts';
import { progressQuery } from './shared/progress.ts';
import { mutation, readOnly } from './shared/retry-profiles.ts';
import { createRunRecord } from './shared/run-record.ts';
import { writeRunReport } from './shared/run-report.ts';
import { announceRun, estateBank } from './shared/runbook-opening.ts';
import { OutcomeKey } from './shared/search-attributes.ts';

type Control = ReturnType<typeof createControlActivities>;
type Mq = ReturnType<typeof createMqActivities>;
type Host = ReturnType<typeof createHostActivities>;

const runbook = 'channel-recovery';
/** How often the plan may change under an engineer's feet before the run stops and says so. */
const maxPlanRounds = 3;

export async function channelRecovery(rawInput: ChannelRecoveryInput): Promise<ChannelRecoveryResult> {
  const input = parseInput(channelRecoveryInputSchema, rawInput);
  const { workflowId } = workflowInfo();
  const startedAt = new Date().toISOString();
  const control = proxyActivities<Control>(readOnly());
  const { estate, bank } = await estateBank(control, input.bank);
  const runLink = `${estate.runLinkBase}${encodeURIComponent(workflowId)}`;
  const queues = estate.taskQueues;
  const mq = proxyActivities<Mq>({ ...readOnly(), taskQueue: queues.comm });
  const mqChange = proxyActivities<Mq>({ ...mutation(), taskQueue: queues.comm });
  const host = proxyActivities<Host>({ ...readOnly(), taskQueue: queues.comm });
  const record = createRunRecord(runbook);
  let step = 'diagnosing';
  setHandler(progressQuery, () => ({ runbook, step, detail: { bank: bank.code } }));
  const requester = await announceRun(record, { runbook, bankCodes: [bank.code], input, started: rawInput });
  const gate = createApprovalGate({ runbook, requester, bankCodes: [bank.code], record });

  const diagnose = async (): Promise<RecoveryDiagnosis> => {
    const [channels, queuesCheck, tcp] = await Promise.all([
      mq.inspectChannels({ bank: bank.code }),
      mq.inspectQueues({ bank: bank.code }),
      host.probeFrontEnd({ bank: bank.code }),
    ]);
    const ping = channels.sender.status === 'RUNNING' ? undefined : await mq.pingChannel({ bank: bank.code });
    return {
      bank: bank.code,
      bankName: bank.name,
      qmgr: channels.sender.qmgr,
      channel: channels.sender.channel,
      sender: channels.sender,
      ...(channels.bankReceiver && { bankReceiver: channels.bankReceiver }),
      ...(channels.bankSender && { bankSender: channels.bankSender }),
      xmitqDepth: queuesCheck.xmitq.depth,
      ...(ping && { ping }),
      tcp,
    };
  };

  const actions: (ChannelActionResult & { at: string })[] = [];
  let lock: HeldLock | undefined;
  let diagnosis: RecoveryDiagnosis;
  let decision: RecoveryDecision;
  let plan: ApprovalPlan | undefined;
  let approval: GateOutcome | undefined;
  let approvedSteps: RecoveryStep[] | undefined;
  let outcome: ChannelRecoveryOutcome | undefined;
  let verification:
    { status: string; xmitqDepth: number; bankSender?: string; checks: number; ok: boolean } | undefined;

  try {
    lock = await acquireLock('channel', `CZ.TO.${bank.code}`);
    diagnosis = await diagnose();
    // Runs begun before the return direction was looked at replay as they were decided.
    const judge = { returnDirection: patched('channel-recovery-return-direction') };
    decision = decideRecovery(diagnosis, judge);
    for (let round = 1; !outcome && round <= maxPlanRounds; round++) {
      if (decision.kind === 'healthy') outcome = actions.length ? 'recovered' : 'already-running';
      else if (decision.kind === 'other-runbook') outcome = 'needs-sequence-resync';
      else if (decision.kind === 'bank-side') {
        outcome = 'escalated';
        await record.notify({
          kind: 'run-escalated',
          title: `通道恢复需银行协助：${bank.name} ${diagnosis.channel}`,
          lines: [
            decision.why,
            `通道状态：${diagnosis.sender.status}`,
            `传输队列积压：${diagnosis.xmitqDepth}`,
          ],
          bankCodes: [bank.code],
          link: runLink,
          key: 'escalated',
        });
        await record.audit({
          kind: 'escalation',
          actor: 'system',
          subject: diagnosis.channel,
          payload: { why: decision.why, diagnosis },
          key: 'escalated',
        });
      } else {
        plan = recoveryPlan(diagnosis, decision.steps, decision.why, input.reason);
        if (input.dryRun) {
          outcome = 'planned';
          break;
        }
        step = 'awaiting-approval';
        approval = await gate.request('execute', plan);
        if (approval.outcome !== 'approved') {
          outcome = approval.outcome;
          break;
        }
        approvedSteps = decision.steps;
        // Look again before leaping: if the channel has changed since the plan was shown,
        // act only when the same steps still apply; otherwise plan again and ask again.
        step = 'executing';
        diagnosis = await diagnose();
        decision = decideRecovery(diagnosis, judge);
        if (decision.kind !== 'act' || decision.steps.join() !== approvedSteps.join()) continue;
        const current = { out: diagnosis.sender.status, back: diagnosis.bankSender?.status };
        let refused = false;
        for (const [i, s] of approvedSteps.entries()) {
          const returning = s === 'stop-return' || s === 'start-return';
          const before = returning ? current.back : current.out;
          let result: ChannelActionResult;
          try {
            result = await runStep(s, approval.proof);
          } catch (err) {
            // The approval no longer holds (the run was reset or started again, it aged): look and ask again.
            if (!isProofRefusal(err)) throw err;
            refused = true;
            break;
          }
          actions.push({ ...result, at: new Date().toISOString() });
          current[returning ? 'back' : 'out'] = s.startsWith('stop') ? 'STOPPED' : 'STARTING';
          const target = stepTarget(diagnosis, s);
          await record.audit({
            kind: 'mutation',
            actor: 'system',
            subject: target.channel,
            payload: {
              action: result.command,
              target: target.qmgr,
              before: { status: before },
              after: { answer: result.detail, alreadyDone: result.alreadyDone },
              approvedBy: approval.votes.map((v) => v.user),
              planDigest: approval.planDigest,
            },
            key: `mutation/${approval.gateId}/${i}`,
          });
        }
        if (refused) {
          step = 'diagnosing';
          diagnosis = await diagnose();
          decision = decideRecovery(diagnosis, judge);
          continue;
        }
        step = 'verifying';
        verification = await verifyFlow(
          input.verifySeconds,
          diagnosis.xmitqDepth,
          approvedSteps.includes('start-return'),
        );
        outcome = verification.ok ? 'recovered' : 'not-verified';
      }
    }
    outcome ??= 'not-verified';
  } catch (err) {
    await record.notify({
      kind: 'run-failed',
      title: `通道恢复失败：${bank.name}`,
      lines: [String((err as Error).message ?? err)],
      bankCodes: [bank.code],
      link: runLink,
      key: 'failed',
    });
    throw err;
  } finally {
    await lock?.release();
  }

  function runStep(s: RecoveryStep, proof: ApprovalProof | undefined): Promise<ChannelActionResult> {
    const target = { bank: bank.code, proof };
    if (s === 'stop') return mqChange.stopSenderChannel(target);
    if (s === 'start') return mqChange.startSenderChannel(target);
    if (s === 'stop-return') return mqChange.stopBankSenderChannel(target);
    return mqChange.startBankSenderChannel(target);
  }

  /** Both ends moving: finance's sender RUNNING with its queue drained, and the bank's sender when it was restarted. */
  async function verifyFlow(seconds: number, depthBefore: number, returnDirection: boolean) {
    let checks = 0;
    let last: { status: string; xmitqDepth: number; bankSender?: string } = {
      status: 'UNKNOWN',
      xmitqDepth: depthBefore,
    };
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      checks++;
      const [channels, q] = await Promise.all([
        mq.inspectChannels({ bank: bank.code }),
        mq.inspectQueues({ bank: bank.code }),
      ]);
      last = {
        status: channels.sender.status,
        xmitqDepth: q.xmitq.depth,
        ...(returnDirection && { bankSender: channels.bankSender?.status ?? 'UNKNOWN' }),
      };
      // A bank sender with nothing to send goes INACTIVE once started: that is flowing too.
      const backOk = !returnDirection || ['RUNNING', 'INACTIVE'].includes(last.bankSender ?? '');
      if (last.status === 'RUNNING' && last.xmitqDepth === 0 && backOk) return { ...last, checks, ok: true };
      if (Date.now() + 2000 > deadline) return { ...last, checks, ok: false };
      await sleep('2 seconds');
    }
  }

  const why = decision.why;
  upsertSearchAttributes([{ key: OutcomeKey, value: outcome }]);
  const ended: ChannelRecoveryReportFacts = {
    bank: bank.code,
    channel: diagnosis.channel,
    outcome,
    why,
    diagnosis,
    ...(plan && { plan, planDigest: planDigest(plan) }),
    ...(approval && { approval }),
    actions,
    ...(verification && {
      verification: {
        status: verification.status,
        xmitqDepth: verification.xmitqDepth,
        ...(verification.bankSender && { bankSender: verification.bankSender }),
        checks: verification.checks,
      },
    }),
  };
  const about = {
    runbook,
    workflowId,
    requestedBy: gate.requestedBy(),
    startedAt,
    timeZone: estate.timezone,
  };
  const files = await writeRunReport(control, about, (r) => channelRecoveryReport(r, ended));
  await record.audit({
    kind: 'outcome',
    actor: 'system',
    subject: diagnosis.channel,
    payload: { result: outcome, why, report: files },
    key: 'outcome',
  });
  await condition(allHandlersFinished);
  return { runbook, workflowId, ...ended, report: files };
}
