/**
 * Deterministic ids for the status queries a run puts to a bank: one prefix per run, purpose
 * and round (so a run can count and read its own answers by prefix), one suffix per thing asked
 * about. The same run asking the same thing again files nothing new. Pure: safe in workflows.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

const hex = (text: string, chars: number) => bytesToHex(sha256(utf8ToBytes(text))).slice(0, chars);

/** `q` + 24 hex digits + `-`: a run's questions for one purpose and round. */
export function queryPrefix(workflowId: string, purpose: string, round = 1): string {
  return `q${hex(`${workflowId}\n${purpose}\n${round}`, 24)}-`;
}

/** The prefix and 16 hex digits of the reference asked about: 42 characters. */
export function queryIdFor(prefix: string, ref: string): string {
  return `${prefix}${hex(ref, 16)}`;
}
