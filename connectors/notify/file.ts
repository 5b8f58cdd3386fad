/**
 * File adapter: appends one JSON line per notification to a file (the sandbox's inbox of
 * record; also a paper trail beside the chat and mail targets at a real site). A retried
 * activity writes nothing the second time: the file is searched for the idempotency key before
 * appending, and writes to one path are serialized within the process.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { NotifyDeliveryError } from './errors.ts';
import type { Notification } from './notification.ts';
import type { NotifyTarget } from './port.ts';

/** One line of the file: the notification as sent, with the time it was recorded. */
export interface NotificationRecord extends Notification {
  at: string;
}

const queues = new Map<string, Promise<unknown>>();

/** Runs `fn` after every earlier call for the same path has settled. */
function serialized<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(path) ?? Promise.resolve();
  const next = previous.then(fn, fn);
  const settled = next.catch(() => undefined);
  queues.set(path, settled);
  void settled.then(() => {
    if (queues.get(path) === settled) queues.delete(path);
  });
  return next;
}

/** Every record in the file; a torn or foreign line is skipped, not fatal. */
export async function readNotificationRecords(path: string): Promise<NotificationRecord[]> {
  return parseRecords(await readIfExists(path));
}

function parseRecords(text: string): NotificationRecord[] {
  return text.split('\n').flatMap((line) => {
    if (!line.trim()) return [];
    try {
      const record = JSON.parse(line) as NotificationRecord;
      return typeof record?.idempotencyKey === 'string' ? [record] : [];
    } catch {
      return [];
    }
  });
}

export function createFileTarget(options: { path: string }, log: Logger): NotifyTarget {
  const path = resolve(options.path);
  const name = `file(${path})`;
  return {
    name,
    send: (n) =>
      serialized(path, async () => {
        try {
          const text = await readIfExists(path);
          if (parseRecords(text).some((r) => r.idempotencyKey === n.idempotencyKey)) {
            log.debug({ target: name, idempotencyKey: n.idempotencyKey }, 'notification already recorded');
            return;
          }
          await mkdir(dirname(path), { recursive: true });
          const record: NotificationRecord = { at: new Date().toISOString(), ...n };
          // A line torn by a crash must not swallow the next record.
          const prefix = text.length > 0 && !text.endsWith('\n') ? '\n' : '';
          await appendFile(path, `${prefix}${JSON.stringify(record)}\n`, 'utf8');
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          throw new NotifyDeliveryError(
            name,
            `cannot record the notification: ${(err as Error).message}`,
            typeof code === 'string' ? code : 'EFILE',
          );
        }
        log.debug({ target: name, kind: n.kind, idempotencyKey: n.idempotencyKey }, 'notification recorded');
      }),
  };
}

async function readIfExists(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return '';
    throw err;
  }
}
