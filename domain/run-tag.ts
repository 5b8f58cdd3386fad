/**
 * The tag a run puts in the ids and keys it makes — its child workflows, the base data it pushes,
 * the fixes it files, its test messages: 16 hex digits of the SHA-256 of its run id. Not the run
 * id's first characters: Temporal's run ids are time-based (UUIDv7), and their first eight
 * characters are the same for every run started within the same minute or so.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export function runTag(runId: string): string {
  return bytesToHex(sha256(utf8ToBytes(`run-tag\n${runId}`))).slice(0, 16);
}
