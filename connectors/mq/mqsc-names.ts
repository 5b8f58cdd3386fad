/**
 * Guards applied before anything reaches a queue manager: object names are checked against IBM
 * MQ's naming rules (restricted to the upper-case form the site file uses), and a command must
 * be exactly one line, so no name or argument can smuggle in a second MQSC command.
 */
import { MqInvalidNameError } from './errors.ts';

export type MqObjectKind = 'qmgr' | 'queue' | 'channel';

/** IBM MQ limits: MQ_Q_MGR_NAME_LENGTH 48, MQ_Q_NAME_LENGTH 48, MQ_CHANNEL_NAME_LENGTH 20. */
const maxLength: Record<MqObjectKind, number> = { qmgr: 48, queue: 48, channel: 20 };
const allowed = /^[A-Z0-9._%/]+$/;

export function assertMqName(kind: MqObjectKind, name: string): string {
  if (typeof name !== 'string' || name.length === 0)
    throw new MqInvalidNameError(kind, String(name), 'empty');
  if (name.length > maxLength[kind]) {
    throw new MqInvalidNameError(kind, name, `longer than ${maxLength[kind]} characters`);
  }
  if (!allowed.test(name)) {
    throw new MqInvalidNameError(kind, name, 'only upper-case letters, digits and . _ % / are allowed');
  }
  return name;
}

/** A command must be one non-empty line of printable text. */
export function assertSingleCommand(command: string): string {
  if (typeof command !== 'string' || !/\S/.test(command)) {
    throw new MqInvalidNameError('command', String(command), 'empty');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(command)) {
    throw new MqInvalidNameError('command', command, 'contains a line break or control character');
  }
  if (command.length > 32762) throw new MqInvalidNameError('command', command.slice(0, 40), 'too long');
  return command.trim();
}
