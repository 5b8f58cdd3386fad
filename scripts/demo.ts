/**
 * `npm run demo`: the main job on the embedded default. Installs what is missing, starts the
 * stack, injects the "bad Monday" scenario into the sandbox, runs the daily inspection as a
 * Temporal workflow, prints the summary and where the report is, and stops everything.
 */
import { loadSite } from '../temporal.config.ts';
import type { DailyInspectionResult } from '../workflows/daily-inspection.types.ts';
import { runbookCatalog } from '../workflows/shared/catalog.ts';
import { connectClient } from './lib/client.ts';
import { sandboxRequest } from './lib/sandbox-client.ts';
import { startStack } from './lib/stack.ts';

const site = loadSite();
const started = Date.now();
const stack = await startStack({ site, reseed: true });
let exitCode = 0;
try {
  console.log('Injecting the "bad Monday" scenario into the sandbox…');
  await sandboxRequest(stack.sandboxUrl, stack.env, site, 'POST', '/sandbox/scenarios/bad-monday');
  // Let the estate react as it would: the sender retries, the program's absence shows.
  await new Promise((r) => setTimeout(r, 3000));

  const client = await connectClient(site);
  const workflowId = `daily-inspection/demo-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  console.log(`Running the daily inspection as workflow ${workflowId}…`);
  const handle = await client.workflow.start('dailyInspection', {
    taskQueue: site.temporal.taskQueues.runbooks,
    workflowId,
    args: [{}],
  });
  const result = (await handle.result()) as DailyInspectionResult;
  await client.connection.close();

  console.log(
    `\n日常巡检 ${result.date} — overall ${result.light.toUpperCase()}, ${result.findings.length} finding(s):`,
  );
  for (const b of result.banks) {
    const bankFindings = result.findings.filter((f) => f.bank === b.bank);
    console.log(
      `  ${b.bank.padEnd(5)} ${b.light.padEnd(6)} ${bankFindings.length === 0 ? 'all checks green' : ''}`,
    );
    for (const f of bankFindings) {
      console.log(
        `        - [${f.check}] ${f.code}: ${f.summary}\n          fix: ${f.fixRunbook} (${runbookCatalog[f.fixRunbook].en})`,
      );
    }
  }
  console.log(`\nReport (Markdown): ${result.report.markdown}`);
  console.log(`Report (HTML):     ${result.report.html}`);
  console.log(
    `Workflow history:  ${stack.uiUrl}/namespaces/${site.temporal.namespace}/workflows/${encodeURIComponent(workflowId)}`,
  );
  console.log(`Done in ${Math.round((Date.now() - started) / 1000)} s. Keep the stack up with: npm start`);
} catch (err) {
  console.error('The demo failed:', err);
  exitCode = 1;
} finally {
  await stack.stop();
}
process.exit(exitCode);
