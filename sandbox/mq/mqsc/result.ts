/**
 * The response of one MQSC command as a queue manager gives it: one item per object displayed
 * (or one for an action), each with its completion and reason codes, the text lines runmqsc
 * prints, and — for displays — the attributes behind those lines.
 */
import type { Attr } from './format.ts';
import { formatAttrs, orderAttrs } from './format.ts';
import { MQCC_FAILED, MQCC_OK, amq, reason } from '../messages.ts';

export interface MqscItem {
  completionCode: number;
  reasonCode: number;
  text: string[];
  attrs?: Attr[];
  /** True when the item is runmqsc's syntax-error report. */
  syntaxError?: boolean;
}

export interface MqscOutcome {
  command: string;
  items: MqscItem[];
  syntaxError: boolean;
  overallCompletionCode: number;
  overallReasonCode: number;
}

export function displayItem(header: string, attrs: Attr[]): MqscItem {
  return { completionCode: MQCC_OK, reasonCode: reason.none, text: [header, ...formatAttrs(attrs)], attrs };
}

export function failure(reasonCode: number, line: string): MqscItem {
  return { completionCode: MQCC_FAILED, reasonCode, text: [line] };
}

export function syntaxErrorItem(segment: string): MqscItem {
  return {
    completionCode: MQCC_FAILED,
    reasonCode: reason.syntaxError,
    text: [amq.syntaxError, segment],
    syntaxError: true,
  };
}

export function outcome(command: string, items: MqscItem[]): MqscOutcome {
  const failed = items.some((i) => i.completionCode !== MQCC_OK);
  return {
    command,
    items,
    syntaxError: items.some((i) => i.syntaxError),
    overallCompletionCode: failed ? MQCC_FAILED : MQCC_OK,
    overallReasonCode: failed ? reason.commandFailed : reason.none,
  };
}

/**
 * Picks the attributes a display prints: the identity ones and `defaults`, plus what was asked for
 * (everything for ALL), identity first and the rest in alphabetical order.
 */
export function selectAttrs(
  all: Attr[],
  leading: number,
  defaults: readonly string[],
  requested: Set<string>,
): Attr[] {
  const wantAll = requested.has('ALL');
  const keep = all.filter(
    (a, i) => i < leading || wantAll || defaults.includes(a.key) || requested.has(a.key),
  );
  return orderAttrs(keep, leading);
}
