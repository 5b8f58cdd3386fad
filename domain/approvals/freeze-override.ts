/**
 * The emergency override a change runbook asks for inside a change freeze (封网): a plan of its own,
 * shown at the gate's `freeze-override` step to the roles the freeze names, that says which windows
 * hold the change back and until when, which change it is, and that the change's own plan is
 * still approved as usual — it lists no action, so no change can be made on the override alone. Approved, the run asks for its change now; refused or left
 * undecided, it waits for the freeze to end. Pure.
 */
import type { FreezeWindow } from '../calendar/change-freezes.ts';
import type { ApprovalPlan, FrozenWait } from './gate-types.ts';

/** The gate step of an emergency override. */
export const freezeOverrideStep = 'freeze-override';

export function frozenWait(until: string, windows: FreezeWindow[], overrideRoles: string[]): FrozenWait {
  return {
    until,
    windows: windows.map(({ name, reason, from, to }) => ({ name, reason, from, to })),
    overrideRoles,
  };
}

export function freezeOverridePlan(change: ApprovalPlan, frozen: FrozenWait): ApprovalPlan {
  return {
    runbook: change.runbook,
    title: {
      zh: `封网期间紧急变更放行：${change.title.zh}`,
      en: `Emergency change during a freeze: ${change.title.en}`,
    },
    ...(change.bank && { bank: change.bank }),
    findings: [
      ...frozen.windows.map((w) => ({
        zh: `封网「${w.name}」${w.from} 至 ${w.to}（含）：${w.reason}`,
        en: `Change freeze "${w.name}" ${w.from} to ${w.to} (inclusive): ${w.reason}`,
      })),
      {
        zh: `不放行则本运行等待至封网结束（${frozen.until}）后再请求审批其变更计划；放行后变更计划本身仍须按常规审批`,
        en: `Without the override the run waits for the freeze to end (${frozen.until}) before it asks approval of its change; with it, the change's own plan is still approved as usual`,
      },
      {
        zh: `变更计划：${change.title.zh}（${change.actions.length} 项操作，放行后另行审批）`,
        en: `The change: ${change.title.en} (${change.actions.length} action(s), approved separately once let through)`,
      },
      ...change.findings,
    ],
    actions: [],
  };
}
