/** Durations as the site file writes them (`90s`, `30m`, `2h`, `1d`), in milliseconds. */
const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function durationMs(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!match) throw new TypeError(`"${text}": expected a duration such as 30m, 2h or 1d`);
  return Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
}
