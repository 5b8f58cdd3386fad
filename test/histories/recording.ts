/**
 * What the history recorders (record-*.ts) share: the fixed test-only payload key, saving a run's
 * history as the binary protobuf the server returned, with its workflow id beside it in
 * workflow-ids.json (a history does not carry it), and waiting for a run to end as expected or
 * to wait quietly at its approval gate — a deployment mid-run.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Client, WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import { quietHistoryLength, waitForGate, type WaitingGate } from '../support/approvals.ts';

const here = new URL('.', import.meta.url);
const idsFile = new URL('workflow-ids.json', here);

/** Encrypts the recorded payloads with the key replay.test.ts decrypts them with; call before starting the estate. */
export function useRecordingKey(): void {
  process.env.JINCAI_PAYLOAD_KEYS = readFileSync(new URL('payload-key.txt', here), 'utf8').trim();
}

/** Saves the history of `workflowId` as `<name>.history.bin` and its id in workflow-ids.json. */
export async function saveHistory(client: Client, name: string, workflowId: string): Promise<void> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  writeFileSync(new URL(`${name}.history.bin`, here), proto.temporal.api.history.v1.History.encode(history).finish());
  const ids: Record<string, string> = existsSync(idsFile) ? JSON.parse(readFileSync(idsFile, 'utf8')) : {};
  ids[`${name}.history.bin`] = workflowId;
  const sorted = Object.fromEntries(Object.entries(ids).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(idsFile, `${JSON.stringify(sorted, null, 2)}\n`);
  console.log(`recorded ${name}.history.bin (${history.events?.length} events)`);
}

/** Waits for the run to end with one of `outcomes` (`failed`: it failed), then saves its history. */
export async function saveEnded(
  client: Client,
  name: string,
  handle: WorkflowHandle,
  ...outcomes: string[]
): Promise<void> {
  const ended = await handle.result().then(
    (r: { outcome: string }) => r.outcome,
    () => 'failed',
  );
  if (!outcomes.includes(ended)) throw new Error(`${name}: expected ${outcomes.join(' or ')}, got ${ended}`);
  await saveHistory(client, name, handle.workflowId);
}

/** Saves the history of a run waiting quietly at its approval gate; returns the gate for deciding. */
export async function saveAtGate(client: Client, name: string, workflowId: string): Promise<WaitingGate> {
  const gate = await waitForGate(client, workflowId, 120_000);
  await quietHistoryLength(client, workflowId);
  await saveHistory(client, name, workflowId);
  return gate;
}
