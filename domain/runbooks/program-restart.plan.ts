/**
 * Program restart's judgement, as pure functions: why a program stopped (its pid file, its last
 * log lines), which programs to stop and start and in what order — a program that is down, and
 * every running program declared `after` it, stopped last-started-first and started in the declared
 * order — and the plan an approver reads, each action a host command by the program's name.
 */
import type { ApprovalPlan, Bilingual, PlanAction } from '../approvals/gate-types.ts';
import type { ProgramLook, ProgramTarget, RestartDecision, TargetProgram } from './program-restart.types.ts';

/** The host action of stopping or starting one declared program, as the plan and the proof name it. */
export function programAction(verb: 'STOP' | 'START', p: Pick<TargetProgram, 'name' | 'host'>) {
  return { kind: 'host' as const, target: p.host, command: `${verb} ${p.name}` };
}

/** The actions of a restart: the stops, then the starts, in the order the decision gives them. */
export function restartActions(
  target: ProgramTarget,
  d: { stop: readonly string[]; start: readonly string[] },
): { kind: 'host'; target: string; command: string }[] {
  const named = (name: string) => target.programs.find((p) => p.name === name) as TargetProgram;
  return [
    ...d.stop.map((n) => programAction('STOP', named(n))),
    ...d.start.map((n) => programAction('START', named(n))),
  ];
}

/** Why a program is not running, in words, from what its pid file or unit and its log say. */
export function whyStopped(look: ProgramLook): string {
  const last = [...look.logTail].reverse().find((l) => l.trim() !== '');
  const state = /stale pid file/.test(look.detail)
    ? `进程 ${look.pid ?? ''} 已不存在而 pid 文件残留：异常终止（崩溃或被强制结束），未能正常退出`
    : /is absent/.test(look.detail)
      ? 'pid 文件不存在：程序已正常停止或从未启动'
      : `状态：${look.detail}`;
  return last ? `${state}；日志最后一行：${last.slice(0, 300)}` : `${state}；无日志`;
}

/** The programs declared `after` any of `names`, directly or through others, in start order. */
function dependents(programs: readonly TargetProgram[], names: ReadonlySet<string>): TargetProgram[] {
  const reached = new Set(names);
  for (const p of programs) if (p.after.some((a) => reached.has(a))) reached.add(p.name);
  return programs.filter((p) => reached.has(p.name) && !names.has(p.name));
}

/**
 * What to do: restart the programs that are down (or `program`, running or not, when the input
 * names one) and every running program that depends on them; nothing when all run; a person when
 * a program to start declares no way to start it.
 */
export function decideRestart(
  target: ProgramTarget,
  looks: readonly ProgramLook[],
  program?: string,
): RestartDecision {
  const running = new Set(looks.filter((l) => l.running).map((l) => l.name));
  const chosen = new Set(
    program !== undefined
      ? [program]
      : target.programs.filter((p) => !running.has(p.name)).map((p) => p.name),
  );
  if (chosen.size === 0)
    return { kind: 'running', why: `${target.name}的 ${target.programs.length} 个程序均在运行，无需重启` };
  const restart = [
    ...target.programs.filter((p) => chosen.has(p.name)),
    ...dependents(target.programs, chosen),
  ];
  const order = target.programs.filter((p) => restart.includes(p));
  const cannot = order.filter((p) => !p.startable);
  const down = looks.filter((l) => chosen.has(l.name));
  const why = down.map((l) => `${l.name}：${l.running ? '运行中，按要求重启' : whyStopped(l)}`).join('\n');
  if (cannot.length > 0)
    return {
      kind: 'not-startable',
      programs: cannot.map((p) => p.name),
      why: `${cannot.map((p) => p.name).join('、')} 未声明启动方式（start 命令或 systemd 单元），须人工处理\n${why}`,
    };
  return {
    kind: 'restart',
    stop: order
      .filter((p) => running.has(p.name))
      .map((p) => p.name)
      .reverse(),
    start: order.map((p) => p.name),
    why,
  };
}

const say = (zh: string, en: string): Bilingual => ({ zh, en });

/** The plan an approver reads: why each program stopped, with its last log lines, then the stops and starts in order. */
export function restartPlan(
  target: ProgramTarget,
  looks: readonly ProgramLook[],
  d: Extract<RestartDecision, { kind: 'restart' }>,
  reason?: string,
): ApprovalPlan {
  const restarted = new Set(d.start);
  const logs = looks
    .filter((l) => restarted.has(l.name) && !l.running)
    .map((l) =>
      say(
        `${l.name} 最后 ${l.logTail.length} 行日志：\n${l.logTail.join('\n') || '（无）'}`,
        `${l.name}: last ${l.logTail.length} log line(s) shown`,
      ),
    );
  const actions: PlanAction[] = restartActions(target, d).map((a) => ({
    ...a,
    description: a.command.startsWith('STOP')
      ? say(
          '停止（依赖被重启程序的运行中程序，后启动者先停）',
          'Stop (a running program that depends on one restarted)',
        )
      : say('启动并等待其写出 pid 文件', 'Start and wait for it to run'),
  }));
  return {
    runbook: 'program-restart',
    title: say(
      `重启${target.name}的程序：${d.start.join('、')}`,
      `Restart ${target.id} programs: ${d.start.join(', ')}`,
    ),
    ...(target.kind === 'bank' && { bank: { code: target.id, name: target.name } }),
    findings: [
      say(d.why, `${d.start.length} program(s) of ${target.id} to start again in their declared order`),
      ...logs,
      ...(reason ? [say(`发起原因：${reason}`, `Reason given: ${reason}`)] : []),
    ],
    actions,
  };
}
