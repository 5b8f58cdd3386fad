/** The progress query every runbook answers while it runs. */
import { defineQuery } from '@temporalio/workflow';

export interface RunbookProgress<Detail = unknown> {
  runbook: string;
  step: string;
  detail: Detail;
}

export const progressQuery = defineQuery<RunbookProgress>('progress');
