/**
 * Test helpers for the notification adapters: a local chat robot (node:http) that records what
 * it receives and answers as told, a local SMTP sink (smtp-server) that keeps each mail raw, a
 * small MIME reader written independently of nodemailer, and a logger that keeps its lines.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { SMTPServer } from 'smtp-server';
import type { Notification } from '../../connectors/notify/notification.ts';

export function sampleNotification(overrides: Partial<Notification> = {}): Notification {
  return {
    kind: 'approval-requested',
    title: '工商银行通道序号重同步',
    lines: ['通道 CZ.TO.ICBC 序号不一致：本端 1024，对端 1020。', '计划将发送端序号重置为 1021。'],
    link: 'http://127.0.0.1:8380/approvals/seq-resync%2FCZ.TO.ICBC%2F2026-11-27',
    runbook: 'seq-resync',
    workflowId: 'seq-resync/CZ.TO.ICBC/2026-11-27',
    bankCodes: ['CZ.TO.ICBC'],
    roles: ['finance-approver'],
    idempotencyKey: `test/${randomUUID()}/approval-requested`,
    ...overrides,
  };
}

export interface RobotRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  raw: string;
}

export type RobotAnswer = { status: number; body: string } | 'hang';

export interface FakeRobot {
  /** The webhook URL, key included, as a robot's would be. */
  url: string;
  key: string;
  requests: RobotRequest[];
  answer: (req: RobotRequest) => RobotAnswer;
  close(): Promise<void>;
}

export const robotOk = { status: 200, body: '{"errcode":0,"errmsg":"ok"}' };

/** A robot at `/cgi-bin/webhook/send?key=…` answering `answer` (by default errcode 0). */
export async function startRobot(
  answer: (req: RobotRequest) => RobotAnswer = () => robotOk,
): Promise<FakeRobot> {
  const key = randomUUID();
  const requests: RobotRequest[] = [];
  const robot = { answer } as FakeRobot;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        raw: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const reply = robot.answer(recorded);
      if (reply === 'hang') return;
      res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(reply.body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return Object.assign(robot, {
    url: `http://127.0.0.1:${port}/cgi-bin/webhook/send?key=${key}`,
    key,
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  });
}

export interface ReceivedMail {
  from: string;
  to: string[];
  user?: string;
  raw: string;
}

export interface SmtpSink {
  port: number;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

/** A plain SMTP server (no STARTTLS) that requires `user`/`password` and refuses `refuse`. */
export async function startSmtpSink(options: {
  user: string;
  password: string;
  refuse?: string[];
}): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, done) {
      if (auth.username === options.user && auth.password === options.password) {
        done(null, { user: auth.username });
      } else {
        done(new Error('Invalid username or password'));
      }
    },
    onRcptTo(address, _session, done) {
      if (options.refuse?.includes(address.address)) {
        done(Object.assign(new Error('No such user here'), { responseCode: 550 }));
      } else {
        done();
      }
    },
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom;
        mails.push({
          from: from ? from.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          raw: Buffer.concat(chunks).toString('latin1'),
        });
        done();
      });
    },
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, close: () => new Promise<void>((done) => server.close(() => done())) };
}

export interface ParsedPart {
  headers: Map<string, string>;
  body: string;
}

/** Splits a raw message into unfolded headers (lower-case names) and a body. */
function splitHeaders(raw: string): ParsedPart {
  const at = raw.search(/\r?\n\r?\n/);
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** RFC 2047 encoded words (B and Q), adjacent words joined as bytes before UTF-8 decoding. */
export function decodeHeader(value: string): string {
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/(?:=\?([\w-]+)\?([BQbq])\?([^?]*)\?=)+/g, (run) => {
    const bytes: Buffer[] = [];
    for (const m of run.matchAll(/=\?([\w-]+)\?([BQbq])\?([^?]*)\?=/g)) {
      const [, , enc, text] = m as unknown as [string, string, string, string];
      bytes.push(enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : qpBytes(text.replace(/_/g, ' ')));
    }
    return Buffer.concat(bytes).toString('utf8');
  });
}

function qpBytes(text: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      out.push(c.charCodeAt(0));
    }
  }
  return Buffer.from(out);
}

function decodeBody(part: ParsedPart): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (encoding === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return qpBytes(part.body.replace(/=\r?\n/g, '')).toString('utf8');
  return Buffer.from(part.body, 'latin1').toString('utf8');
}

export interface ParsedMail {
  headers: Map<string, string>;
  subject: string;
  /** Decoded bodies by content type (`text/plain`, `text/html`) with their Content-Type header. */
  parts: { contentType: string; text: string }[];
}

export function parseMail(raw: string): ParsedMail {
  const top = splitHeaders(raw);
  const type = top.headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  const leaves = boundary
    ? top.body
        .split(`--${boundary}`)
        .slice(1)
        .filter((chunk) => !chunk.startsWith('--'))
        // The line break before a boundary belongs to the boundary (RFC 2046).
        .map((chunk) => splitHeaders(chunk.replace(/^\r?\n/, '').replace(/\r?\n$/, '')))
    : [top];
  return {
    headers: top.headers,
    subject: decodeHeader(top.headers.get('subject') ?? ''),
    parts: leaves.map((p) => ({ contentType: p.headers.get('content-type') ?? '', text: decodeBody(p) })),
  };
}

export interface CapturedLog {
  log: Logger;
  lines: string[];
}

/** A debug-level logger whose lines the test can search (for secrets that must not be there). */
export function captureLogger(): CapturedLog {
  const lines: string[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { log, lines };
}

export function quietLogger(): Logger {
  return pino({ level: 'silent' });
}
