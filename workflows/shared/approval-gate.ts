/**
 * The approval gate every mutating runbook passes through (DESIGN.md §2). A runbook creates
 * it once, at its start, then asks `gate.request(step, plan)` before it changes anything.
 * Decisions arrive as the `decide` Workflow Update; its validator (domain/approvals/decision-rules.ts) refuses
 * anything not signed by a trusted front door, not for this run, gate and plan, too old,
 * replayed, from the requester, from someone without the role, or a second vote — all without
 * an event in history. Reminders, escalation to the deputy roles and expiry run on durable
 * timers from the policy read when the gate opens.
 *
 * The requester is the run's verified one (requester.ts). A run nobody signed for waits, before
 * its first request, for a signed claim — the `claimRun` update, its validator (requester-rules.ts)
 * refusing anything else without an event in history; the claimant becomes the requester, and
 * four-eyes applies to them.
 *
 * A change runbook (changeRunbooks) obeys the change calendar before it asks: inside a freeze window
 * that does not exempt it, it asks the window's override roles for an emergency override (the
 * `freeze-override` step, closing when the freeze ends) and otherwise waits for the end on a durable
 * timer; `approvalState.frozen` says what it waits for.
 */
import {
  ApplicationFailure,
  condition,
  patched,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createApprovalActivities } from '../../activities/approvals.ts';
import type { createCalendarActivities } from '../../activities/calendar.ts';
import {
  freezeOverridePlan,
  freezeOverrideStep,
  frozenWait,
} from '../../domain/approvals/freeze-override.ts';
import { checkDecision } from '../../domain/approvals/decision-rules.ts';
import { approvalLink } from '../../domain/approvals/inbox-link.ts';
import { planDigest, recordedDecisionSchema, type SignedDecision } from '../../domain/approvals/decision.ts';
import type {
  ApprovalPlan,
  ApprovalState,
  ApprovalVote,
  DecisionReceipt,
  FrozenWait,
  GateOutcome,
  GatePolicy,
  PendingApprovalView,
} from '../../domain/approvals/gate-types.ts';
import { checkClaim, type ClaimPolicy } from '../../domain/approvals/requester-rules.ts';
import { signedClaimSchema } from '../../domain/approvals/signed-claims.ts';
import { ErrorKind } from '../../domain/errors.ts';
import { changeRunbooks } from '../../domain/runbooks/catalog.ts';
import { approvalStateQuery, claimRunUpdate, decideUpdate } from './approval-definitions.ts';
import { mustBeClaimed, proofRequester, requesterView, type RunRequester } from './requester.ts';
import { readActivities } from './retry-profiles.ts';
import { countApprovalWait } from './run-metrics.ts';
import type { RunRecord } from './run-record.ts';
import {
  ApprovalRolesKey,
  AwaitingClaimKey,
  PendingApprovalKey,
  RequestedByKey,
} from './search-attributes.ts';

type Approvals = ReturnType<typeof createApprovalActivities>;
type Calendar = ReturnType<typeof createCalendarActivities>;

export interface ApprovalGate {
  /** Shows the plan, waits for the policy's decision, and says how it ended. */
  request(step: string, plan: ApprovalPlan): Promise<GateOutcome>;
  /** Who asked for the run: its verified requester, or the claimant once claimed. */
  requestedBy(): string;
}

export function createApprovalGate(options: {
  runbook: string;
  /** The run's requester as its opening established it (announceRun). */
  requester: RunRequester;
  bankCodes: string[];
  record: RunRecord;
}): ApprovalGate {
  const { runbook, bankCodes, record } = options;
  let requester = options.requester;
  /** Set while the run waits to be claimed: what a claim is judged by. */
  let claimPolicy: ClaimPolicy | null = null;
  const { workflowId, runId, namespace } = workflowInfo();
  const approvals = readActivities<Approvals>();
  const usedNonces = new Set<string>();
  /** The current gate's approving decisions as signed (v2 only: v1 ones are replays of old runs). */
  let approving: SignedDecision[] = [];
  const closed: GateOutcome[] = [];
  let pending: PendingApprovalView | null = null;
  let policy: GatePolicy | null = null;
  let verdict: 'approved' | 'rejected' | undefined;
  let opened = 0;
  /** Set while a change waits for a freeze to end. */
  let frozen: FrozenWait | undefined;
  const calendar = readActivities<Calendar>();

  setHandler(approvalStateQuery, (): ApprovalState => ({
    runbook,
    runId,
    requestedBy: requester.user,
    requester: requesterView(requester),
    awaitingClaim: claimPolicy !== null,
    pending,
    closed,
    ...(frozen && { frozen }),
  }));

  setHandler(
    claimRunUpdate,
    async (raw) => {
      // Judged by the validator; recorded before the first await, so a second claim is refused.
      const claim = signedClaimSchema.parse(raw);
      const { claims } = claim;
      requester = { user: claims.user, via: 'claim', evidence: claim };
      claimPolicy = null;
      upsertSearchAttributes([{ key: RequestedByKey, value: claims.user }]);
      await record.audit({
        kind: 'run-claimed',
        actor: claims.user,
        subject: workflowId,
        payload: { claimant: claims.user, ...claim },
        key: `claim/${claims.nonce}`,
      });
      return { requester: requesterView(requester) };
    },
    {
      validator: (raw) => {
        const check = checkClaim(raw, {
          namespace,
          workflowId,
          runId,
          policy: claimPolicy,
          nowMs: Date.now(),
        });
        if (!check.ok)
          throw ApplicationFailure.create({
            type: ErrorKind.ClaimRefused,
            message: `Claim refused (${check.reason}): ${check.message}`,
            details: [check.reason],
            nonRetryable: true,
          });
      },
    },
  );

  setHandler(
    decideUpdate,
    async (signed): Promise<DecisionReceipt> => {
      // The validator has judged the decision (it is not run again on replay, so nothing here
      // may depend on the clock). Record the vote before the first await, so a second update in
      // the same activation already sees it.
      const decision = recordedDecisionSchema.parse(signed);
      if (!pending) {
        throw ApplicationFailure.create({
          type: ErrorKind.ApprovalRefused,
          nonRetryable: true,
          message: 'the approval closed before this decision',
          details: ['no-pending-approval'],
        });
      }
      const { claims, keyId } = decision;
      usedNonces.add(claims.nonce);
      if (claims.v === 2 && claims.verdict === 'approve') approving.push({ ...decision, claims });
      const approver = policy?.approvers.find((a) => a.id === claims.user);
      const vote: ApprovalVote = {
        user: claims.user,
        displayName: approver?.displayName ?? claims.user,
        // The validator let the decision in on one of the gate's roles: the one it was made in.
        role: approver?.roles.find((r) => pending?.roles.includes(r)) ?? '',
        verdict: claims.verdict,
        reason: claims.reason,
        at: claims.issuedAt,
        via: claims.via,
        keyId,
        nonce: claims.nonce,
      };
      const gate = pending;
      gate.votes.push(vote);
      const approvals = gate.votes.filter((v) => v.verdict === 'approve').length;
      if (claims.verdict === 'reject') verdict = 'rejected';
      else if (approvals >= gate.quorum) verdict = 'approved';
      await record.audit({
        kind: 'decision',
        actor: claims.user,
        subject: gate.gateId,
        payload: {
          ...vote,
          signature: decision.signature,
          planDigest: claims.planDigest,
          step: gate.step,
          // The signed decision whole, so `audit verify` can re-check it with the front doors' keys
          // (runs recorded before this wrote the vote alone).
          ...(patched('audit-decision-claims') && { claims }),
        },
        key: `decision/${claims.nonce}`,
      });
      return {
        gateId: gate.gateId,
        verdict: claims.verdict,
        votes: approvals,
        quorum: gate.quorum,
        gate: verdict ?? 'pending',
      };
    },
    {
      validator: (signed) => {
        const check = checkDecision(signed, context());
        if (!check.ok) {
          throw ApplicationFailure.create({
            type: ErrorKind.ApprovalRefused,
            message: `Decision refused (${check.reason}): ${check.message}`,
            details: [check.reason],
            nonRetryable: true,
          });
        }
      },
    },
  );

  function context() {
    return {
      namespace,
      workflowId,
      runId,
      requestedBy: requester.user,
      pending,
      policy,
      nowMs: Date.now(),
      usedNonces,
    };
  }

  /** Waits, up to the policy's expiry, for someone allowed to start runbooks to claim the run. */
  async function awaitClaim(p: GatePolicy, plan: ApprovalPlan): Promise<boolean> {
    claimPolicy = {
      signers: p.signers,
      users: p.approvers,
      startRoles: p.startRoles,
      maxAgeMs: p.maxDecisionAgeMs,
    };
    // Runs begun before the inbox listed runs to claim by this attribute go on without it.
    const tagged = patched('awaiting-claim-attribute');
    if (tagged) upsertSearchAttributes([{ key: AwaitingClaimKey, value: true }]);
    await record.notify({
      kind: 'claim-requested',
      title: `待认领：${plan.title.zh}`,
      lines: [
        `运行：${workflowId}`,
        `启动时未经签名确认申请人（输入中的申请人：${requester.user}）`,
        `需由具备以下角色的人员认领后方可审批：${p.startRoles.join('、')}`,
      ],
      link: approvalLink(p.inboxUrl, workflowId),
      roles: p.startRoles,
      bankCodes,
      key: `claim-requested/${opened}`,
    });
    const claimed = await condition(() => requester.via !== 'unverified', p.expireAfterMs);
    claimPolicy = null;
    if (tagged) upsertSearchAttributes([{ key: AwaitingClaimKey, value: false }]);
    return claimed;
  }

  /**
   * A change runbook inside a change freeze: asks the freeze's roles for an emergency override,
   * the request closing when the freeze ends, and otherwise waits for that end on a durable timer —
   * then looks again (another window may follow).
   */
  async function obeyFreezes(plan: ApprovalPlan): Promise<void> {
    for (;;) {
      const verdict = await calendar.changeWindow({ runbook, at: new Date().toISOString() });
      if (verdict.allowed) break;
      frozen = frozenWait(verdict.until, verdict.windows, verdict.overrideRoles);
      const override = await open(freezeOverrideStep, freezeOverridePlan(plan, frozen), {
        roles: verdict.overrideRoles,
        closeAtMs: Date.parse(verdict.until),
      });
      if (override.outcome === 'approved') break;
      await sleep(untilMs(Date.parse(verdict.until)));
    }
    frozen = undefined;
  }

  async function request(step: string, plan: ApprovalPlan): Promise<GateOutcome> {
    // Runs begun before the change calendar was obeyed replay as they were decided.
    if ((changeRunbooks as readonly string[]).includes(runbook) && patched('change-calendar'))
      await obeyFreezes(plan);
    return open(step, plan);
  }

  /** Opens the gate at `step`: `only` names the roles that decide and when the request closes at the latest. */
  async function open(
    step: string,
    plan: ApprovalPlan,
    only?: { roles: string[]; closeAtMs: number },
  ): Promise<GateOutcome> {
    policy = withinBounds(await approvals.loadApprovalPolicy({ runbook, step }), only);
    const p = policy;
    opened += 1;
    if (mustBeClaimed(requester) && !(await awaitClaim(p, plan))) {
      const unclaimed: GateOutcome = {
        gateId: `${step}-${opened}`,
        step,
        planDigest: planDigest(plan),
        outcome: 'expired',
        votes: [],
        decidedAt: new Date().toISOString(),
        reminded: false,
        escalated: false,
      };
      closed.push(unclaimed);
      return unclaimed;
    }
    const requestedBy = requester.user;
    const openedAt = Date.now();
    const at = (ms: number) => new Date(openedAt + ms).toISOString();
    const digest = planDigest(plan);
    const gate: PendingApprovalView = {
      gateId: `${step}-${opened}`,
      step,
      runbook,
      workflowId,
      requestedBy,
      planDigest: digest,
      plan,
      roles: [...p.roles],
      deputyRoles: [...p.deputyRoles],
      escalated: false,
      quorum: p.quorum,
      votes: [],
      openedAt: at(0),
      remindAt: at(p.remindAfterMs),
      escalateAt: at(p.escalateAfterMs),
      expireAt: at(p.expireAfterMs),
      bankCodes,
    };
    verdict = undefined;
    approving = [];
    await record.audit({
      kind: 'plan',
      actor: requestedBy,
      subject: gate.gateId,
      payload: { step, planDigest: digest, plan },
      key: `plan/${gate.gateId}`,
    });
    pending = gate;
    upsertSearchAttributes([
      { key: PendingApprovalKey, value: true },
      { key: ApprovalRolesKey, value: gate.roles },
    ]);
    const link = approvalLink(p.inboxUrl, workflowId);
    const tell = (
      kind: 'approval-requested' | 'approval-reminder' | 'approval-escalated' | 'approval-expired',
      n: number,
    ) =>
      record.notify({
        kind,
        title: `${noticeTitles[kind]}：${plan.title.zh}`,
        lines: [
          `运行：${workflowId}`,
          `申请人：${requestedBy}`,
          `需要角色：${gate.roles.join('、')}（${gate.votes.length}/${gate.quorum}）`,
          `截止：${gate.expireAt}`,
        ],
        link,
        roles: gate.roles,
        bankCodes,
        key: `${kind}/${gate.gateId}/${n}`,
      });

    await tell('approval-requested', 0);
    let reminded = false;
    const decided = () => verdict !== undefined;
    // Reminders every remindAfter until the escalation, then the deputies, then expiry.
    for (let n = 1; n * p.remindAfterMs < p.escalateAfterMs; n++) {
      if (await condition(decided, untilMs(openedAt + n * p.remindAfterMs))) break;
      reminded = true;
      await tell('approval-reminder', n);
    }
    const escalates = p.escalateAfterMs < p.expireAfterMs;
    if (!decided() && !escalates) await condition(decided, untilMs(openedAt + p.expireAfterMs));
    else if (!decided() && !(await condition(decided, untilMs(openedAt + p.escalateAfterMs)))) {
      gate.escalated = true;
      gate.roles = [...new Set([...gate.roles, ...gate.deputyRoles])];
      upsertSearchAttributes([{ key: ApprovalRolesKey, value: gate.roles }]);
      await record.audit({
        kind: 'escalation',
        actor: 'system',
        subject: gate.gateId,
        payload: { roles: gate.roles },
        key: `escalation/${gate.gateId}`,
      });
      await tell('approval-escalated', 0);
      await condition(decided, untilMs(openedAt + p.expireAfterMs));
    }
    const outcome: GateOutcome = {
      gateId: gate.gateId,
      step,
      planDigest: digest,
      outcome: verdict ?? 'expired',
      votes: [...gate.votes],
      decidedAt: new Date().toISOString(),
      reminded,
      escalated: gate.escalated,
      ...(verdict === 'approved' &&
        approving.length > 0 && {
          actBy: new Date(
            Math.max(...approving.map((d) => Date.parse(d.claims.issuedAt))) + p.proofMaxAgeMs,
          ).toISOString(),
          proof: {
            v: 1,
            run: { namespace, workflowId, runId },
            runbook,
            gateId: gate.gateId,
            step,
            plan,
            decisions: [...approving],
            requester: proofRequester(requester),
          },
        }),
    };
    pending = null;
    upsertSearchAttributes([
      { key: PendingApprovalKey, value: false },
      { key: ApprovalRolesKey, value: [] },
    ]);
    countApprovalWait(runbook, step, outcome.outcome, (Date.now() - openedAt) / 1000);
    if (outcome.outcome === 'expired') await tell('approval-expired', 0);
    closed.push(outcome);
    return outcome;
  }

  return { request, requestedBy: () => requester.user };
}

const noticeTitles = {
  'approval-requested': '待审批',
  'approval-reminder': '审批提醒',
  'approval-escalated': '审批已升级',
  'approval-expired': '审批已过期',
} as const;

/**
 * The policy with the roles `only` names (no deputies) and its deadlines ending by `only.closeAtMs`
 * at the latest; as loaded without `only`.
 */
function withinBounds(p: GatePolicy, only?: { roles: string[]; closeAtMs: number }): GatePolicy {
  if (!only) return p;
  const expireAfterMs = Math.max(1, Math.min(p.expireAfterMs, only.closeAtMs - Date.now()));
  return {
    ...p,
    roles: only.roles,
    deputyRoles: [],
    expireAfterMs,
    escalateAfterMs: Math.min(p.escalateAfterMs, expireAfterMs),
    remindAfterMs: Math.min(p.remindAfterMs, expireAfterMs),
  };
}

/** Milliseconds from the workflow's now until an instant, at least 1 (a timer cannot be 0). */
function untilMs(instantMs: number): number {
  return Math.max(1, instantMs - Date.now());
}
