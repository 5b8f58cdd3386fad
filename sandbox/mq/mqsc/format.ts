/**
 * runmqsc's layout of object attributes: `KEY(value)` fields, two per line in 40-column cells
 * after a three-space indent; a field too wide for a cell takes a line of its own. Empty values
 * print as `( )`; bare keywords (CURRENT, NOTRIGGER…) print alone.
 */

export interface Attr {
  key: string;
  /** Undefined for a bare keyword. */
  value?: string;
}

const cell = 40;

export function field(a: Attr): string {
  if (a.value === undefined) return a.key;
  return `${a.key}(${a.value === '' ? ' ' : a.value})`;
}

export function formatAttrs(attrs: Attr[]): string[] {
  const lines: string[] = [];
  let left: string | undefined;
  for (const a of attrs) {
    const f = field(a);
    if (f.length >= cell) {
      if (left !== undefined) lines.push(`   ${left}`);
      left = undefined;
      lines.push(`   ${f}`);
    } else if (left === undefined) {
      left = f;
    } else {
      lines.push(`   ${left.padEnd(cell)}${f}`);
      left = undefined;
    }
  }
  if (left !== undefined) lines.push(`   ${left}`);
  return lines;
}

/** Keeps the leading identity attributes in place and sorts the rest by name, as runmqsc does. */
export function orderAttrs(attrs: Attr[], leading: number): Attr[] {
  const head = attrs.slice(0, leading);
  const tail = attrs.slice(leading).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return [...head, ...tail];
}
