/**
 * `runbook status <workflow-id> --follow`: watches a run until it ends, looking every second. On a
 * terminal, a live bar redrawn in place under the notes (its step, the approval it waits for with
 * the inbox link…); anywhere else — a pipe, a log — plain lines only, a note or a count each time
 * it changes. Then the run's end as `runbook status` shows it (its outcome, or why it failed). Exit
 * 0 when the run completed, 1 when it ended otherwise.
 */
import type { Client } from '@temporalio/client';
import type { ApprovalState } from '../../domain/approvals/gate-types.ts';
import type { RunbookProgress } from '../../workflows/shared/progress.ts';
import { barLine, followFrame, tallyLine, type FollowContext, type FollowFrame } from './follow-frame.ts';
import { answered, runStatusLines } from './run-status.ts';

export interface FollowOptions extends FollowContext {
  out: NodeJS.WriteStream;
  /** How often to look (default 1000 ms). */
  everyMs?: number;
}

export async function followRun(client: Client, options: FollowOptions): Promise<number> {
  const { out, workflowId } = options;
  const handle = client.workflow.getHandle(workflowId);
  const view = out.isTTY ? liveView(out) : plainView(out);
  const look = async (): Promise<FollowFrame> =>
    followFrame(
      await answered<RunbookProgress>(handle, 'progress'),
      await answered<ApprovalState>(handle, 'approvalState'),
      options,
    );
  let description = await handle.describe();
  const started = description.startTime.getTime();
  while (description.status.name === 'RUNNING') {
    view.show(await look(), Date.now() - started);
    await new Promise((r) => setTimeout(r, options.everyMs ?? 1000));
    description = await handle.describe();
  }
  // A closed run still answers its queries (a worker replays it): the bar where the run left it.
  const last = await lastLook(client, look);
  if (last) view.show(last, (description.closeTime?.getTime() ?? Date.now()) - started);
  view.end();
  out.write(`${(await runStatusLines(client, workflowId, options.timeZone)).join('\n')}\n`);
  return description.status.name === 'COMPLETED' ? 0 : 1;
}

async function lastLook(client: Client, look: () => Promise<FollowFrame>): Promise<FollowFrame | undefined> {
  try {
    return await client.withDeadline(Date.now() + 10_000, look);
  } catch {
    // No worker to replay it within the time: the outcome printed next says how it ended.
    return undefined;
  }
}

interface View {
  show(frame: FollowFrame, elapsedMs: number): void;
  end(): void;
}

/** Notes printed once each, in order; `print` takes the ones not printed yet. */
function noteKeeper(print: (line: string) => void) {
  const printed = new Set<string>();
  return (notes: readonly string[]) => {
    for (const note of notes) {
      if (printed.has(note)) continue;
      printed.add(note);
      print(note);
    }
  };
}

/** A terminal: the notes scroll, the bar stays on the last line, redrawn in place. */
function liveView(out: NodeJS.WriteStream): View {
  const clearLine = '\r\x1b[2K';
  let bar = '';
  const notes = noteKeeper((line) => out.write(`${clearLine}${line}\n${bar}`));
  return {
    show(frame, elapsedMs) {
      notes(frame.notes);
      bar = barLine(frame, elapsedMs);
      out.write(`${clearLine}${bar}`);
    },
    end() {
      if (bar) out.write('\n');
    },
  };
}

/** A pipe or a log: plain lines, a note or a count only when it changes. */
function plainView(out: NodeJS.WriteStream): View {
  const notes = noteKeeper((line) => out.write(`${line}\n`));
  let count: string | undefined;
  return {
    show(frame) {
      notes(frame.notes);
      const now = tallyLine(frame.tally);
      if (now && now !== count) out.write(`${now}\n`);
      count = now;
    },
    end() {},
  };
}
