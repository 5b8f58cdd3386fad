/**
 * The comparing process of `npm run bench -- reconciliation`: one reconciliation over files, as
 * the activity will run it; prints its own time and peak RSS as JSON. Args: a JSON options object.
 */
import { reconcileFiles, type ReconcileFilesOptions } from '../../connectors/statements/reconcile.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as ReconcileFilesOptions;
const t0 = performance.now();
const result = await reconcileFiles(options);
const ms = performance.now() - t0;
console.log(
  JSON.stringify({
    ms,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    differences: result.differences,
    sorted: result.sorted,
    totalsAgree: result.statementTotalsAgree,
  }),
);
