/**
 * A `runmqsc`-compatible command for the sandbox: `tsx sandbox/mq/runmqsc-cli.ts QM.CZ < cmds.mqsc`
 * sends each MQSC command on stdin to a running sandbox through its mqweb REST endpoint
 * (JINCAI_MQWEB_URL, JINCAI_MQWEB_USER, JINCAI_MQWEB_PASSWORD) and prints what runmqsc prints.
 */
import { text } from 'node:stream/consumers';
import { mqwebSender, runSession } from './runmqsc-session.ts';

async function main(): Promise<number> {
  const qmgr = process.argv[2];
  if (!qmgr || qmgr.startsWith('-')) {
    process.stderr.write('Usage: runmqsc-cli.ts QMgrName < commands\n');
    return 20;
  }
  const send = mqwebSender({
    baseUrl: process.env.JINCAI_MQWEB_URL ?? 'http://127.0.0.1:9080',
    user: process.env.JINCAI_MQWEB_USER ?? '',
    password: process.env.JINCAI_MQWEB_PASSWORD ?? '',
    qmgr,
  });
  const input = await text(process.stdin);
  return runSession(qmgr, input, send, (line) => process.stdout.write(`${line}\n`));
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 20;
  },
);
