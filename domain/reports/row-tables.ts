/**
 * The tables a data change's report shows (a data fix, its undo, an access change): the rows it
 * previewed, each before and after, and the rows that were not as expected — moved since the
 * preview, or not as the change meant them — with their digests and how they look now. Pure.
 */
import { rowText, shortDigest } from '../display.ts';
import type { Differing } from '../row-changes.ts';
import type { ReportTable } from './runbook-report.ts';

type Shown = Readonly<Record<string, string | number | null>>;

/** Each row before and after; `keyHead` names what a key is (a row's key, a user or role). */
export function previewTable(
  keyHead: string,
  rows: readonly { key: string; before: Shown; after: Shown }[],
): ReportTable {
  return {
    head: [keyHead, '修改前', '修改后（其余字段不变）'],
    rows: rows.map((r) => [r.key, rowText(r.before), rowText(r.after)]),
  };
}

/** Each row not as expected: the digest expected (— when it was not to change), the digest found, the row now. */
export function differingTable(keyHead: string, rows: readonly Differing[]): ReportTable {
  return {
    head: [keyHead, '预期摘要', '当前摘要', '当前内容'],
    rows: rows.map((m) => [
      m.key,
      m.expected === null ? '—' : shortDigest(m.expected),
      m.found === null ? '（已不存在）' : shortDigest(m.found),
      m.now ? rowText(m.now) : '—',
    ]),
  };
}
