/**
 * The progress query every runbook answers while it runs, in one shape: its step, and where a run
 * works through banks or vouchers, how many are done of how many — what `runbook status --follow`
 * draws its bar from. A query is no command: runs in flight replay unchanged whatever it answers.
 */
import { defineQuery, setHandler } from '@temporalio/workflow';

/** How many are done of how many. */
export interface Tally {
  done: number;
  total: number;
}

export interface RunbookProgress<Detail = unknown> {
  runbook: string;
  step: string;
  /** Banks done of the banks to do, where the run works through banks. */
  banks?: Tally;
  /** Vouchers done of the vouchers to do, where the run works through vouchers. */
  vouchers?: Tally;
  detail: Detail;
}

export const progressQuery = defineQuery<RunbookProgress>('progress');

/** From now on the progress query answers what `now` says at the moment it is asked. */
export function answerProgress<Detail>(now: () => RunbookProgress<Detail>): void {
  setHandler(progressQuery, now);
}
