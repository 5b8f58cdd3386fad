/**
 * Parser for MQSC text output, as `runmqsc` prints it and as mqweb's runCommand returns it in
 * `commandResponse[].text`: AMQ message lines, each followed by the indented `KEY(VALUE)`
 * attributes of one object, inside runmqsc's banner, command echo and summary lines.
 *
 * Shapes follow IBM MQ documentation and real transcripts: runmqsc (run MQSC commands),
 * DISPLAY CHSTATUS / DISPLAY QLOCAL / DISPLAY QMGR, the AMQ8xxx message catalogue.
 */
import type { MqscObjectResponse } from './port.ts';

export interface MqscTextBlock {
  /** The AMQ message that opens the block (`AMQ8417I`), absent for attribute lines with no header. */
  messageId?: string;
  text: string[];
  attributes: Record<string, string>;
}

export interface RunmqscTranscript {
  /** From `Starting MQSC for queue manager QM.CZ.` */
  qmgr?: string;
  /** Commands as runmqsc echoed them (`     1 : DISPLAY CHSTATUS(*)`). */
  commands: string[];
  blocks: MqscTextBlock[];
  /** The closing lines (`One MQSC command read.` …). */
  summary: string[];
}

const messageLine = /^\s*(AMQ\d{4}[A-Z]?):\s?(.*)$/;
const copyrightLine = /^\s*\S+\s+\(C\)\s+Copyright IBM Corp/i;
const startingLine = /^\s*Starting MQSC for queue manager (.+?)\.?\s*$/;
const echoLine = /^\s*\d*\s*:(?:\s(.*))?$/;
const summaryLine =
  /^\s*(?:One|No|All|\d+)\b.*\b(?:MQSC commands? read|commands? (?:have|has) a syntax error|MQSC commands? (?:were|was|could not be) processed)\.\s*$/;
/** Informational lines runmqsc prints about itself, not about the command. */
const selfMessages = new Set(['AMQ8521']);

/**
 * Parses `KEY(VALUE)` pairs and bare keywords (`CURRENT`) of one attribute segment. Walks the
 * characters once by their codes: a worker reads some thousand of these lines per inspection.
 */
export function parseAttributes(segment: string, into: Record<string, string> = {}): Record<string, string> {
  const n = segment.length;
  let i = 0;
  while (i < n) {
    while (i < n && isBlankOrComma(segment.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    if (isUpper(segment.charCodeAt(i))) {
      i++;
      while (i < n && isKeyChar(segment.charCodeAt(i))) i++;
    }
    if (i === start) {
      i = nextBlank(segment, i);
      continue;
    }
    const key = segment.slice(start, i);
    if (i >= n || segment.charCodeAt(i) !== openParen) {
      if (i >= n || isBlankOrComma(segment.charCodeAt(i))) into[key] = '';
      else i = nextBlank(segment, i);
      continue;
    }
    const end = valueEnd(segment, i);
    into[key] = cleanValue(segment.slice(i + 1, end));
    i = end + 1;
  }
  return into;
}

const openParen = 40;
const closeParen = 41;
const quote = 39;
const comma = 44;
const space = 32;

const isUpper = (c: number) => c >= 65 && c <= 90;
const isKeyChar = (c: number) => isUpper(c) || (c >= 48 && c <= 57);
/** `\s` as a regular expression reads it: ASCII blanks here, the rarer Unicode spaces by the expression. */
const isBlank = (c: number) =>
  c === space || (c >= 9 && c <= 13) || (c > 127 && /\s/.test(String.fromCharCode(c)));
const isBlankOrComma = (c: number) => c === comma || isBlank(c);

/** Index of the first blank at or after `i` (or the end). */
function nextBlank(s: string, i: number): number {
  while (i < s.length && !isBlank(s.charCodeAt(i))) i++;
  return i;
}

/** Index of the `)` closing the value opened at `open`; quotes only count when they open the value. */
function valueEnd(s: string, open: number): number {
  let j = open + 1;
  while (j < s.length && s.charCodeAt(j) === space) j++;
  if (s.charCodeAt(j) === quote) {
    for (j++; j < s.length; j++) {
      if (s.charCodeAt(j) !== quote) continue;
      if (s.charCodeAt(j + 1) === quote) j++;
      else break;
    }
    j++;
  }
  let depth = 1;
  for (; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === openParen) depth++;
    else if (c === closeParen && --depth === 0) return j;
  }
  return s.length;
}

function cleanValue(raw: string): string {
  const t = raw.trim();
  if (t.length >= 2 && t.startsWith("'") && t.endsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
  return t;
}

/** The lines, each item with line breaks inside split at them. */
function physicalLines(lines: readonly string[]): readonly string[] {
  return lines.some((l) => l.includes('\n')) ? lines.flatMap((l) => l.split(/\r?\n/)) : lines;
}

/** AMQ message ids at the start of lines, in order. */
export function messageIdsIn(lines: readonly string[]): string[] {
  const ids: string[] = [];
  for (const line of physicalLines(lines)) {
    const m = messageLine.exec(line);
    if (m?.[1]) ids.push(m[1]);
  }
  return ids;
}

/**
 * Splits MQSC output lines into one block per AMQ message. Attributes are read only under
 * "Display … details." messages (and from lines before any message), so error prose such as
 * `AMQ9202E: Remote host 'bank (10.0.0.5)(1414)' not available` never turns into attributes.
 */
export function parseMqscBlocks(lines: readonly string[]): MqscTextBlock[] {
  const blocks: MqscTextBlock[] = [];
  let current: (MqscTextBlock & { display: boolean }) | undefined;
  for (const line of physicalLines(lines)) {
    if (!/\S/.test(line)) continue;
    const m = messageLine.exec(line);
    if (m?.[1]) {
      const rest = m[2] ?? '';
      const details = /^(.*?details\.)(.*)$/i.exec(rest);
      current = { messageId: m[1], text: [line], attributes: {}, display: Boolean(details) };
      if (details?.[2]) parseAttributes(details[2], current.attributes);
      blocks.push(current);
      continue;
    }
    if (!current) {
      current = { text: [], attributes: {}, display: true };
      blocks.push(current);
    }
    current.text.push(line);
    if (current.display) parseAttributes(line, current.attributes);
  }
  return blocks.map(({ messageId, text, attributes }) => ({
    ...(messageId && { messageId }),
    text,
    attributes,
  }));
}

/** Parses a whole runmqsc stdout: framing lines apart, the rest as blocks. */
export function parseRunmqscOutput(stdout: string): RunmqscTranscript {
  const transcript: RunmqscTranscript = { commands: [], blocks: [], summary: [] };
  const body: string[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    if (copyrightLine.test(line)) continue;
    const starting = startingLine.exec(line);
    if (starting?.[1]) {
      transcript.qmgr = starting[1];
      continue;
    }
    const echo = echoLine.exec(line);
    if (echo) {
      const text = (echo[1] ?? '').trim();
      if (/^\s*\d+\s*:/.test(line) || transcript.commands.length === 0) {
        if (text) transcript.commands.push(text);
      } else if (text) {
        transcript.commands[transcript.commands.length - 1] += ` ${text}`;
      }
      continue;
    }
    if (summaryLine.test(line)) {
      transcript.summary.push(line.trim());
      continue;
    }
    const id = messageLine.exec(line)?.[1];
    if (id && selfMessages.has(id.slice(0, 7))) continue;
    body.push(line);
  }
  transcript.blocks = parseMqscBlocks(body);
  return transcript;
}

export type MessageSeverity = 'I' | 'W' | 'E' | 'S';

export function messageSeverity(messageId: string): MessageSeverity | undefined {
  const s = messageId.charAt(7);
  return s === 'I' || s === 'W' || s === 'E' || s === 'S' ? s : undefined;
}

/**
 * AMQ messages whose MQ reason code IBM documents (the same condition surfaces as this reason
 * in PCF and mqweb). Two are informational by suffix but mean the command did nothing.
 */
const documentedReasons: Record<string, { completionCode: number; reasonCode: number }> = {
  AMQ8420: { completionCode: 2, reasonCode: 3065 }, // Channel Status not found — MQRCCF_CHL_STATUS_NOT_FOUND
  AMQ8147: { completionCode: 2, reasonCode: 2085 }, // object not found — MQRC_UNKNOWN_OBJECT_NAME
  AMQ8135: { completionCode: 2, reasonCode: 2035 }, // Not authorized — MQRC_NOT_AUTHORIZED
  AMQ8146: { completionCode: 2, reasonCode: 2059 }, // queue manager not available — MQRC_Q_MGR_NOT_AVAILABLE
  AMQ8118: { completionCode: 2, reasonCode: 2058 }, // queue manager does not exist — MQRC_Q_MGR_NAME_ERROR
  AMQ8405: { completionCode: 2, reasonCode: 3008 }, // syntax error: not run — MQRCCF_COMMAND_FAILED
};

export const MQCC_OK = 0;
export const MQCC_WARNING = 1;
export const MQCC_FAILED = 2;
export const MQRCCF_COMMAND_FAILED = 3008;

/** Completion and reason code for an AMQ message, as runmqsc prints no codes. */
export function codesForMessage(messageId: string | undefined): {
  completionCode: number;
  reasonCode: number;
} {
  if (!messageId) return { completionCode: MQCC_OK, reasonCode: 0 };
  const known = documentedReasons[messageId.slice(0, 7)];
  if (known) return known;
  switch (messageSeverity(messageId)) {
    case 'W':
      return { completionCode: MQCC_WARNING, reasonCode: 0 };
    case 'E':
    case 'S':
      return { completionCode: MQCC_FAILED, reasonCode: MQRCCF_COMMAND_FAILED };
    default:
      return { completionCode: MQCC_OK, reasonCode: 0 };
  }
}

/** One port response per block, codes derived from the block's message. */
export function responsesFromBlocks(blocks: readonly MqscTextBlock[]): MqscObjectResponse[] {
  return blocks.map((b) => ({
    ...codesForMessage(b.messageId),
    text: b.text,
    attributes: b.attributes,
    messageIds: b.messageId ? [b.messageId] : [],
  }));
}
