/**
 * `npm run bench -- <name>`: the benchmarks, each in its own file under scripts/bench/ —
 * inspection (the daily inspection of 5, 50 and 200 banks on the production worker), resend
 * (10,000 vouchers on the production worker), reconciliation, upgrade (an application of 1 GB and a
 * million voucher rows backed up, upgraded and rolled back), worker-start, seed (the sandbox
 * estate for 5, 50 and 200 banks) and year-end (a rollover of 5, 50 and 200 banks). Each prints
 * its figures against its goals; none asserts.
 */
import { parseArgs } from 'node:util';
import { argumentsOk, commandLine } from './lib/check-args.ts';

const { args, checkOnly } = commandLine();
const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
const benchmarks = ['inspection', 'resend', 'reconciliation', 'upgrade', 'worker-start', 'seed', 'year-end'];
const [which = 'inspection', ...extra] = positionals;
if (!benchmarks.includes(which) || extra.length > 0) {
  console.error(`Unknown benchmark "${positionals.join(' ')}"; available: ${benchmarks.join(', ')}`);
  process.exit(2);
}
if (checkOnly) {
  console.log(argumentsOk(`run the ${which} benchmark`));
  process.exit(0);
}
if (which === 'inspection') process.exit(await (await import('./bench/inspection.ts')).runInspectionBench());
if (which === 'resend') process.exit(await (await import('./bench/resend.ts')).runResendBench());
if (which === 'reconciliation')
  process.exit(await (await import('./bench/reconciliation.ts')).runReconciliationBench());
if (which === 'upgrade') process.exit(await (await import('./bench/upgrade.ts')).runUpgradeBench());
if (which === 'seed') process.exit(await (await import('./bench/seed.ts')).runSeedBench());
if (which === 'year-end') process.exit(await (await import('./bench/year-end.ts')).runYearEndBench());
process.exit(await (await import('./bench/worker-start.ts')).runWorkerStartBench());
