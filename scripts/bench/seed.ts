/**
 * `npm run bench -- seed`: how long seeding the sandbox estate takes — the treasury database and
 * the banks' ledger of a Monday morning — for 5, 50 and 200 banks (BENCH_REPEATS runs each, the
 * median), as `./jincai start --reseed` and every test estate do it. Prints figures against the
 * goal (200 banks within 20 s); asserts nothing.
 */
import { join } from 'node:path';
import { seedEstate } from '../../sandbox/seed/seed-estate.ts';
import { testSite } from '../../test/sandbox/helpers.ts';
import { loadAverage } from './load-average.ts';

const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const goalMs = 20_000;
// A Monday, 11:00 in Shanghai: the morning's traffic and Friday's close to seed.
const now = new Date('2026-11-30T03:00:00.000Z');

export async function runSeedBench(): Promise<number> {
  console.log(`seeding the sandbox estate, median of ${repeats} (goal: 200 banks within ${goalMs / 1000} s)`);
  for (const banks of [5, 50, 200]) {
    const site = await testSite({ banks, programs: false });
    try {
      const runs = [];
      for (let i = 0; i < repeats; i++) {
        const dir = join(site.dir, `run-${i}`);
        runs.push(
          await seedEstate({
            site: site.site,
            treasuryPath: join(dir, 'treasury.db'),
            ledgerPath: join(dir, 'banks.db'),
            now,
          }),
        );
      }
      const ms = runs.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(runs.length / 2)] as number;
      const { vouchers, messages } = runs[0] ?? { vouchers: 0, messages: 0 };
      console.log(
        `  ${String(banks).padStart(3)} banks: ${(ms / 1000).toFixed(2)} s (${vouchers} vouchers, ${messages} messages)` +
          `${banks === 200 ? (ms <= goalMs ? '  goal met' : '  goal NOT met') : ''}   load ${loadAverage()}`,
      );
    } finally {
      site.cleanup();
    }
  }
  return 0;
}
