/**
 * The machine's load average over 1, 5 and 15 minutes, printed with every figure a benchmark
 * gives: the machines they run on are shared, and a loaded one stretches every time measured.
 */
import { loadavg } from 'node:os';

export function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
}
