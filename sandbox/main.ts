/**
 * `npm run sandbox`: runs the sandbox estate as its own process for the site file in force
 * (JINCAI_SITE or sites/sandbox.yaml). `--reseed` seeds the databases afresh. Logs with pino;
 * SIGINT/SIGTERM stop the programs and close everything.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { argumentsOk, commandLine } from '../scripts/lib/check-args.ts';
import { useEmbeddedSecrets } from '../scripts/lib/embedded-secrets.ts';
import { loadSite } from '../temporal.config.ts';
import { startSandbox } from './server.ts';

async function main(): Promise<void> {
  const { args, checkOnly } = commandLine();
  const { values } = parseArgs({
    args,
    options: {
      reseed: { type: 'boolean', default: false },
      'no-programs': { type: 'boolean', default: false },
    },
  });
  if (checkOnly) {
    console.log(
      argumentsOk(
        `run the sandbox${values.reseed ? ', reseeded' : ''}${values['no-programs'] ? ', without programs' : ''}`,
      ),
    );
    return;
  }
  const log = pino({
    name: 'sandbox',
    level: process.env.LOG_LEVEL ?? 'info',
    redact: ['password', '*.password', 'credentials'],
  });
  const site = loadSite();
  useEmbeddedSecrets(site);
  const sandbox = await startSandbox({
    site,
    log,
    reseed: values.reseed,
    spawnPrograms: !values['no-programs'],
    spawnSubsystems: !values['no-programs'],
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping sandbox');
    sandbox.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'sandbox did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
