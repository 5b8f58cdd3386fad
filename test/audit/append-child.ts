/**
 * A second process appending to the same audit store (for the concurrency test): opens the
 * store, says "ready", waits for "go" on stdin, appends `count` entries, prints their seqs.
 *   node --import tsx test/audit/append-child.ts <db-path> <workflow-id> <count>
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { openAuditDb } from '../../connectors/audit/database.ts';
import { appendAuditRecord } from '../../connectors/audit/store.ts';

const [path, workflowId, count] = process.argv.slice(2);
if (!path || !workflowId || !count) throw new Error('usage: append-child.ts <db-path> <workflow-id> <count>');
const db = await openAuditDb({ adapter: 'sqlite', sqlite: { path } });
process.stdout.write('ready\n');
process.stdin.setEncoding('utf8');
let input = '';
while (!input.includes('go')) input += String((await once(process.stdin, 'data'))[0]);
const seqs: number[] = [];
for (let i = 0; i < Number(count); i++) {
  const { record } = await appendAuditRecord(db, {
    workflowId,
    runbook: 'channel-recovery',
    kind: 'mutation',
    actor: 'system',
    payload: { action: `step ${i}`, before: i, after: i + 1 },
    idempotencyKey: `${workflowId}/mutation/${i}`,
  });
  seqs.push(record.seq);
  // A worker does other things between appends; without a pause one process could take every turn.
  await sleep(1);
}
process.stdout.write(`${JSON.stringify(seqs)}\n`);
await db.destroy();
