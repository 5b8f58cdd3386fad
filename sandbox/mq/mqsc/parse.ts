/**
 * MQSC command text → a parsed command: verb, object type and name, and keywords with optional
 * values, with the synonyms runmqsc accepts (DIS, CHS, CHL, QL, Q, QR…). Unquoted names and values
 * fold to upper case as in MQSC; quoted ones keep their case. Errors carry the command segment up
 * to the offending token, which AMQ8405E prints.
 */

export type Verb = 'DISPLAY' | 'START' | 'STOP' | 'PING' | 'RESET' | 'RESOLVE' | 'DEFINE';
export type ObjectType = 'CHSTATUS' | 'CHANNEL' | 'QLOCAL' | 'QUEUE' | 'QREMOTE' | 'QMGR';

export interface Keyword {
  key: string;
  /** Undefined for a bare keyword such as ALL or SAVED. */
  value?: string;
}

export interface ParsedCommand {
  text: string;
  verb: Verb;
  object: ObjectType;
  name?: string;
  keywords: Keyword[];
}

export class MqscSyntaxError extends Error {
  constructor(readonly segment: string) {
    super(`MQSC syntax error near: ${segment}`);
    this.name = 'MqscSyntaxError';
  }
}

const verbs: Record<string, Verb> = {
  DISPLAY: 'DISPLAY',
  DIS: 'DISPLAY',
  START: 'START',
  STA: 'START',
  STOP: 'STOP',
  PING: 'PING',
  RESET: 'RESET',
  RESOLVE: 'RESOLVE',
  DEFINE: 'DEFINE',
  DEF: 'DEFINE',
};

const objects: Record<string, ObjectType> = {
  CHSTATUS: 'CHSTATUS',
  CHS: 'CHSTATUS',
  CHANNEL: 'CHANNEL',
  CHL: 'CHANNEL',
  QLOCAL: 'QLOCAL',
  QL: 'QLOCAL',
  QUEUE: 'QUEUE',
  Q: 'QUEUE',
  QREMOTE: 'QREMOTE',
  QR: 'QREMOTE',
  QMGR: 'QMGR',
};

/** Object types each verb takes. */
const verbObjects: Record<Verb, ObjectType[]> = {
  DISPLAY: ['CHSTATUS', 'CHANNEL', 'QLOCAL', 'QUEUE', 'QREMOTE', 'QMGR'],
  START: ['CHANNEL'],
  STOP: ['CHANNEL'],
  PING: ['CHANNEL'],
  RESET: ['CHANNEL'],
  RESOLVE: ['CHANNEL'],
  DEFINE: ['QLOCAL', 'QREMOTE', 'CHANNEL'],
};

interface Token extends Keyword {
  /** Offset just past the token in the command text. */
  end: number;
  quoted: boolean;
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  const skipBlanks = () => {
    while (i < n && /[\s,]/.test(text[i] ?? '')) i++;
  };
  for (;;) {
    skipBlanks();
    if (i >= n) break;
    const start = i;
    while (i < n && /[^\s(),]/.test(text[i] ?? '')) i++;
    const word = text.slice(start, i);
    if (!word) throw new MqscSyntaxError(text.slice(0, i + 1));
    let j = i;
    while (j < n && /\s/.test(text[j] ?? '')) j++;
    if (text[j] === '(') {
      const { value, quoted, end } = readValue(text, j);
      tokens.push({ key: word.toUpperCase(), value, quoted, end });
      i = end;
    } else {
      tokens.push({ key: word.toUpperCase(), quoted: false, end: i });
    }
  }
  return tokens;
}

function readValue(text: string, open: number): { value: string; quoted: boolean; end: number } {
  let i = open + 1;
  let depth = 1;
  let out = '';
  let quoted = false;
  let sawUnquoted = false;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === "'") {
      quoted = true;
      i++;
      while (i < text.length) {
        if (text[i] === "'" && text[i + 1] === "'") {
          out += "'";
          i += 2;
        } else if (text[i] === "'") {
          i++;
          break;
        } else {
          out += text[i];
          i++;
        }
      }
      continue;
    }
    if (c === '(') depth++;
    if (c === ')') {
      depth--;
      if (depth === 0) {
        const value = quoted && !sawUnquoted ? out : out.trim().toUpperCase();
        return { value, quoted: quoted && !sawUnquoted, end: i + 1 };
      }
    }
    if (!/\s/.test(c)) sawUnquoted = true;
    out += c;
    i++;
  }
  throw new MqscSyntaxError(text);
}

export function parseMqsc(text: string): ParsedCommand {
  const trimmed = text.trim();
  const tokens = tokenize(trimmed);
  const segment = (t: Token | undefined) => trimmed.slice(0, t ? t.end : trimmed.length);
  const [verbTok, objTok, ...rest] = tokens;
  const verb = verbTok && !verbTok.value ? verbs[verbTok.key] : undefined;
  if (!verbTok || !verb) throw new MqscSyntaxError(segment(verbTok));
  const object = objTok ? objects[objTok.key] : undefined;
  if (!objTok || !object || !verbObjects[verb].includes(object)) throw new MqscSyntaxError(segment(objTok));
  let name: string | undefined;
  if (object === 'QMGR') {
    if (objTok.value !== undefined) throw new MqscSyntaxError(segment(objTok));
  } else {
    if (objTok.value === undefined || objTok.value === '') throw new MqscSyntaxError(segment(objTok));
    name = objTok.value;
  }
  const keywords: Keyword[] = [];
  for (const t of rest) {
    if (t.key === 'WHERE') throw new MqscSyntaxError(segment(t));
    keywords.push(t.value === undefined ? { key: t.key } : { key: t.key, value: t.value });
  }
  return { text: trimmed, verb, object, ...(name !== undefined ? { name } : {}), keywords };
}

/** Segment of the command text up to and including the keyword at `index` (for AMQ8405E). */
export function segmentUpTo(cmd: ParsedCommand, key: string): string {
  const tokens = tokenize(cmd.text);
  const t = tokens.find((tok, i) => i >= 2 && tok.key === key);
  return t ? cmd.text.slice(0, t.end) : cmd.text;
}

/** `*` alone matches everything; a trailing `*` matches names with that stem. */
export function matchesGeneric(pattern: string, name: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

export const isGeneric = (pattern: string) => pattern.endsWith('*');
