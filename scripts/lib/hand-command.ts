/**
 * `runbook retry | skip | abort <workflow-id> [--reason <why>]`: the operator's hand on a run's
 * paused step, through the inbox's API like the approval commands — the person signs in, the CLI
 * shows the step that waits (why it paused, what it found, the choices and what skipping means),
 * and the inbox checks the person's role for that choice, signs the decision for that very pause
 * and sends it. Skip and abort need a reason; nobody skips a run they requested. Exit codes: 0
 * decided, 1 failed (inbox unreachable, sign-in failed, no such run), 2 bad usage, 3 refused
 * (nothing paused, not allowed, …; the reason in Chinese and English).
 */
import { handActions, type HandAction, type HandState } from '../../domain/approvals/hand-decision.ts';
import { formatInstant } from '../../domain/display.ts';
import { argumentsOk } from './check-args.ts';
import { parseOneRunCommandLine, postAccepted } from './inbox-command-line.ts';
import {
  FailedError,
  inboxCommand,
  RefusedError,
  signInToInbox,
  unexpected,
  type CommandIo,
  type InboxCommandOptions,
} from './inbox-session.ts';

export const handUsage = `The operator's hand on a paused step (through the approval inbox's API, as you):
  retry <workflow-id> [--reason <comment>]
                                        run the paused step again (engineers)
  skip <workflow-id> --reason <why>     go on without it, as its page says skipping means (the
                                        roles the site allows; never the run's requester)
  abort <workflow-id> --reason <why>    end the run: what it changed is undone where it can be,
                                        and its report is written (engineers)
    --user <id>, --inbox <url>, password: as for approvals`;

export function isHandCommand(value: unknown): value is HandAction {
  return (handActions as readonly unknown[]).includes(value);
}

const verbs: Record<HandAction, string> = {
  retry: '重试 / Retry',
  skip: '跳过 / Skip',
  abort: '中止 / Abort',
};

export const runHandCommand = inboxCommand(decide);

async function decide(
  action: HandAction,
  argv: string[],
  { site, checkOnly }: InboxCommandOptions,
  io: CommandIo,
): Promise<void> {
  const line = parseOneRunCommandLine(
    argv,
    {
      command: action,
      usage: handUsage,
      ...(action !== 'retry' && {
        reasonRequired: `--reason: required to ${action} a step (at least 2 characters)`,
      }),
    },
    io,
  );
  if (!line) return;
  const { workflowId, reason } = line;
  if (checkOnly) {
    io.out(argumentsOk(`${action} the paused step of ${workflowId}${reason ? ' with a reason' : ''}`));
    return;
  }

  const inbox = await signInToInbox({ site, io, ...line.signIn });
  try {
    const path = `/api/paused/${encodeURIComponent(workflowId)}`;
    const notFound = `no runbook run ${workflowId} / 找不到该运行`;
    const seen = await inbox.call('GET', path);
    if (seen.status === 404) throw new FailedError(notFound);
    if (seen.status !== 200) throw unexpected('reading the paused step', seen);
    const state = seen.json as unknown as HandState;
    const pause = state.paused;
    if (!pause)
      throw new RefusedError(
        `${workflowId}: 没有等待处置的步骤 / no step is waiting for an operator (not-paused)`,
      );
    io.out(`运行 / Run: ${workflowId}（${state.runbook}）`);
    io.out(
      `步骤 / Step: ${pause.step}（第 ${pause.attempts} 次 / attempt ${pause.attempts}），${formatInstant(pause.pausedAt, site.site.timezone)}`,
    );
    io.out(`原因 / Why: [${pause.trouble.type}] ${pause.trouble.message}`);
    if (pause.skipMeans) io.out(`跳过意味着 / Skipping means: ${pause.skipMeans.zh} / ${pause.skipMeans.en}`);
    io.out(`可选 / Choices: ${pause.choices.join(', ')}`);
    await postAccepted(
      inbox,
      `${path}/decision`,
      { action, ...(reason && { reason }), pauseId: pause.pauseId, runId: state.runId },
      { notFound, refused: '处置未被接受 / Decision not accepted', sending: 'sending the decision' },
    );
    io.out(`已提交 / Decided: ${verbs[action]} — ${pause.step} (${pause.pauseId})`);
  } finally {
    await inbox.close();
  }
}
