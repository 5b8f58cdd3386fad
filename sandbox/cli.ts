/**
 * Command line for a running sandbox: inject and clear faults, run scenarios, move the business
 * clock, show the state, bring a bank online or extend its hours (the commands: cli-commands.ts).
 * Talks to the sandbox over HTTP with the mqweb credentials from the environment variables the site
 * file names, or else those the stack generated (embedded-secrets.ts). Exit codes: 0 done, 1 the
 * sandbox refused or could not be reached, 2 bad usage.
 */
import { argumentsOk, commandLine } from '../scripts/lib/check-args.ts';
import { useEmbeddedSecrets } from '../scripts/lib/embedded-secrets.ts';
import { loadSite, secretFromEnv } from '../temporal.config.ts';
import { parseSandboxCommand, SandboxUsageError, sandboxUsage, type SandboxRequest } from './cli-commands.ts';

async function main(): Promise<number> {
  const { args, checkOnly } = commandLine();
  const parsed = parseSandboxCommand(args);
  if (parsed.help) {
    console.log(sandboxUsage);
    return 0;
  }
  const { method, path, body } = parsed.request;
  if (checkOnly) {
    console.log(argumentsOk(`${parsed.command}: ${method} ${path}${body ? ` ${JSON.stringify(body)}` : ''}`));
    return 0;
  }
  const site = loadSite();
  useEmbeddedSecrets(site);
  return call(parsed.url ?? `http://127.0.0.1:${site.sandbox?.port ?? 9080}`, parsed.request, {
    user: secretFromEnv(site.mq.mqweb?.userEnv ?? 'JINCAI_MQWEB_USER'),
    password: secretFromEnv(site.mq.mqweb?.passwordEnv ?? 'JINCAI_MQWEB_PASSWORD'),
  });
}

async function call(
  base: string,
  { method, path, body }: SandboxRequest,
  credentials: { user: string; password: string },
): Promise<number> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  console.log(text.startsWith('{') ? JSON.stringify(JSON.parse(text), null, 2) : text);
  return res.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof SandboxUsageError) {
      console.error(`${err.message}\n\n${sandboxUsage}`);
      process.exit(2);
    }
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
