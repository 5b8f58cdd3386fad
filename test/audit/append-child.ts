/**
 * A second process appending to the same audit store (for the concurrency test): opens the
 * store with the test folder's audit section (keys, head file), says "ready", waits for "go" on
 * stdin, appends `count` entries, prints their seqs.
 *   node --import tsx test/audit/append-child.ts <test-dir> <workflow-id> <count>
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { openAuditDb } from '../../connectors/audit/database.ts';
import { createSiteAuditWriter } from '../../connectors/audit/site-audit.ts';
import { testAuditSection } from '../support/audit-site.ts';

const [dir, workflowId, count] = process.argv.slice(2);
if (!dir || !workflowId || !count) throw new Error('usage: append-child.ts <test-dir> <workflow-id> <count>');
const audit = testAuditSection(dir);
const db = await openAuditDb(audit);
const writer = createSiteAuditWriter(db, audit);
process.stdout.write('ready\n');
process.stdin.setEncoding('utf8');
let input = '';
while (!input.includes('go')) input += String((await once(process.stdin, 'data'))[0]);
const seqs: number[] = [];
for (let i = 0; i < Number(count); i++) {
  const { record } = await writer.append({
    workflowId,
    runbook: 'channel-recovery',
    kind: 'outcome',
    actor: 'system',
    payload: { result: { step: i } },
    idempotencyKey: `${workflowId}/step/${i}`,
  });
  seqs.push(record.seq);
  // A worker does other things between appends; without a pause one process could take every turn.
  await sleep(1);
}
process.stdout.write(`${JSON.stringify(seqs)}\n`);
await db.destroy();
