/**
 * The largest history event of every run in a namespace, in bytes as the server keeps it
 * (protobuf, payloads encrypted): an upper bound on any payload the server's blob limit
 * (`limit.blobSize.*`) judges. The benchmarks print it, so the limit the dev server and the
 * deployment set stays above what the runbooks send.
 */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

export interface LargestEvent {
  bytes: number;
  eventType: string;
  workflowType: string;
  workflowId: string;
}

const { HistoryEvent } = proto.temporal.api.history.v1;
const { EventType } = proto.temporal.api.enums.v1;

export async function largestEvent(client: Client): Promise<LargestEvent | undefined> {
  let largest: LargestEvent | undefined;
  for await (const run of client.workflow.list()) {
    const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    for (const event of history.events ?? []) {
      const bytes = HistoryEvent.encode(event).finish().length;
      if (largest && bytes <= largest.bytes) continue;
      largest = {
        bytes,
        eventType: EventType[event.eventType ?? 0] ?? String(event.eventType),
        workflowType: run.type,
        workflowId: run.workflowId,
      };
    }
  }
  return largest;
}

export function describeLargest(largest: LargestEvent | undefined): string {
  if (!largest) return 'largest history event: none';
  const kib = (largest.bytes / 1024).toFixed(1);
  return `largest history event: ${kib} KiB (${largest.eventType} of ${largest.workflowType} ${largest.workflowId})`;
}
