/**
 * `npm start`: the embedded stack — Temporal dev server with its Web UI, the sandbox estate and
 * a worker — kept up until Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { loadSite } from '../temporal.config.ts';
import { argumentsOk, commandLine } from './lib/check-args.ts';
import { nextSteps } from './lib/next-steps.ts';
import { metricsLines, startStack } from './lib/stack.ts';

const { args, checkOnly } = commandLine();
const { values } = parseArgs({
  args,
  options: { reseed: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  console.log(`Usage: npm start [-- --reseed]

Starts the Temporal dev server (UI included), the sandbox estate, a worker and the approval
inbox, upserts the schedules, and keeps them running until Ctrl-C.  --reseed  rebuild the sandbox's data first.`);
  process.exit(0);
}
if (checkOnly) {
  console.log(argumentsOk(`start the stack${values.reseed ? ', the sandbox reseeded' : ''}`));
  process.exit(0);
}

const site = loadSite();
const stack = await startStack({ site, reseed: values.reseed ?? false });
console.log(`
jincai-runbooks is running (Ctrl-C stops it):
  Temporal gRPC     ${stack.temporalAddress}
  Temporal Web UI   ${stack.uiUrl}/   (through the inbox: engineers sign in; decoded payloads, Start Workflow)
  Approval inbox    ${stack.inboxUrl}
  Sandbox (mqweb)   ${stack.sandboxUrl}/ibmmq/rest/v2/
${metricsLines(stack.metrics)}  Logs              ${stack.logDir}

Demo accounts — SANDBOX ONLY (演示账号，仅用于沙箱): ${stack.demoUsers.engineer.id} (engineer, may decode
payloads in the UI), ${stack.demoUsers.approver.id}, ${stack.demoUsers.director.id} (deputy after escalation);
their generated passwords are in ${stack.demoCredentialsFile} (mode 600); commands ask for them.
`);
const steps = nextSteps({ engineer: stack.demoUsers.engineer.id, approver: stack.demoUsers.approver.id });
for (const { what, line } of steps) console.log(`${`${what}:`.padEnd(29)}${line}`);

let stopping = false;
const shutdown = () => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping…');
  void stack.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
