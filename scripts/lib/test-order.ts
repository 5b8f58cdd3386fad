/**
 * The order `npm test` starts its files in: the longest first, so that on a machine with few cores
 * none of them starts late and runs on alone at the end of the run (the run's wall time is at least
 * the start of its last long file plus that file's length). First the files that took longest in a
 * whole run from a fresh clone, longest first (wall time of the run on 7 December 2026, two cores);
 * then the slow kinds (kill-the-worker tests, the integration and attack tests against the sandbox,
 * the command-line tests that start a process per case, the whole year-end rollover on the
 * time-skipping server); every other file keeps its place after them.
 */
const longestFirst = [
  /\/test\/integration\/system-migration-crash\.test\.ts$/,
  /\/test\/integration\/year-end-rollover-crash\.test\.ts$/,
  /\/test\/integration\/exchange-recovery\.test\.ts$/,
  /\/test\/integration\/version-upgrade-crash\.test\.ts$/,
  /\/test\/integration\/voucher-resend-crash\.test\.ts$/,
  /\/test\/integration\/bank-reconciliation-crash\.test\.ts$/,
  /\/test\/workflow\/year-end-rollover\.test\.ts$/,
  /\/test\/integration\/payroll-watch\.test\.ts$/,
  /\/test\/integration\/worker-crash\.test\.ts$/,
  /\/test\/integration\/[^/]*-crash\.test\.ts$/,
  /\/test\/integration\/bad-input\.test\.ts$/,
  /\/test\/unit\/readme-commands\.test\.ts$/,
  /\/test\/audit\/cli\.test\.ts$/,
  /\/test\/integration\//,
  /\/test\/attacks\//,
  /\/test\/sandbox\//,
  /\/test\/inbox\//,
];

export function inStartOrder(files: readonly string[]): string[] {
  const rank = (file: string) => {
    const at = longestFirst.findIndex((kind) => kind.test(file));
    return at < 0 ? longestFirst.length : at;
  };
  return files
    .map((file, i) => ({ file, i, rank: rank(file) }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map((f) => f.file);
}
