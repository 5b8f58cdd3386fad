/**
 * Reading a Prometheus endpoint as Prometheus does: the samples of its text format (name, labels,
 * value) and the metrics it declares, for the demo's closing lines and the tests that scrape.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const samplePattern = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseSamples(text: string): Sample[] {
  return text.split('\n').flatMap((line) => {
    const match = samplePattern.exec(line);
    if (!match || line.startsWith('#')) return [];
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(labelPattern)].map((l) => [
        l[1] ?? '',
        (l[2] ?? '').replace(/\\(.)/g, '$1'),
      ]),
    );
    return [{ name: match[1] ?? '', labels, value: Number(match[3]) }];
  });
}

/** Every metric name the text declares (`# TYPE`) or has a sample of (`_bucket`, `_sum`, `_count` included). */
export function servedNames(text: string): Set<string> {
  const declared = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1] ?? '');
  return new Set([...declared, ...parseSamples(text).map((s) => s.name)]);
}

/** The sum of the samples of `name` whose labels include `match`. */
export function sampleSum(
  samples: readonly Sample[],
  name: string,
  match: Record<string, string> = {},
): number {
  return samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** Scrapes `url`; the text, or an error naming the endpoint. */
export async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.text();
}
