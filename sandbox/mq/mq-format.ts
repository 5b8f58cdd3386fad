/**
 * Small formatters shared by the model and the MQSC output: queue-manager dates and times
 * (`2026-11-27` / `09.30.12`), message and LUW identifiers in the shapes IBM MQ prints them.
 */
import { randomBytes } from 'node:crypto';

export function mqDate(d: Date, timeZone: string): string {
  const parts = partsOf(d, timeZone);
  return `${parts.year}-${parts.month}-${parts.day}`;
}

export function mqTime(d: Date, timeZone: string): string {
  const parts = partsOf(d, timeZone);
  return `${parts.hour}.${parts.minute}.${parts.second}`;
}

/** One formatter per time zone: building one costs far more than formatting with it. */
const formatters = new Map<string, Intl.DateTimeFormat>();
/**
 * The parts of the seconds recently formatted, per time zone: a DISPLAY CHSTATUS prints four dates
 * and times per channel end, mostly the same few seconds, and formatting is the dearest part of it.
 */
const recentParts = new Map<string, Map<number, Record<string, string>>>();
const recentLimit = 4096;

function partsOf(d: Date, timeZone: string): Record<string, string> {
  let fmt = formatters.get(timeZone);
  let recent = recentParts.get(timeZone);
  if (!fmt || !recent) {
    fmt = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    recent = new Map();
    formatters.set(timeZone, fmt);
    recentParts.set(timeZone, recent);
  }
  const second = Math.floor(d.getTime() / 1000);
  const known = recent.get(second);
  if (known) return known;
  const out: Record<string, string> = {};
  for (const p of fmt.formatToParts(d)) out[p.type] = p.value;
  if (recent.size >= recentLimit) recent.clear();
  recent.set(second, out);
  return out;
}

let counter = 0;

/** "AMQ " + the queue manager name padded to 12 bytes + 8 unique bytes, as hex (48 digits). */
export function newMsgId(qmgr: string): string {
  const prefix = Buffer.from(`AMQ ${qmgr.padEnd(12).slice(0, 12)}`, 'latin1');
  const unique = Buffer.alloc(8);
  unique.writeUInt32BE(Math.floor(Date.now() / 1000) >>> 0, 0);
  unique.writeUInt32BE(++counter >>> 0, 4);
  return Buffer.concat([prefix, unique]).toString('hex').toUpperCase();
}

export const noCorrelId = '0'.repeat(48);

/** Accepts a 48-digit hex id as is; any other text is encoded and padded like an MQBYTE24. */
export function toCorrelId(value: string | undefined): string {
  if (!value) return noCorrelId;
  if (/^[0-9a-f]{48}$/i.test(value)) return value.toUpperCase();
  const bytes = Buffer.alloc(24);
  Buffer.from(value, 'utf8').copy(bytes, 0, 0, 24);
  return bytes.toString('hex').toUpperCase();
}

export function newLuwid(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

export const zeroLuwid = '0000000000000000';
