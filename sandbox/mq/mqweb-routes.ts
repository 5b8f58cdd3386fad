/**
 * An mqweb-compatible HTTP front for the sandbox estate: the administrative REST API's MQSC
 * resource (runCommand and runCommandJSON), the messaging REST API's put and destructive get, and
 * mqweb's envelope — basic authentication, the CSRF header on state-changing methods, MQWB error
 * JSON for unknown queue managers and malformed bodies. Mount it in any `http` server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MqEstate } from './estate.ts';
import { MqObjectNotFoundError, MqPutError } from './estate.ts';
import { runMqsc } from './mqsc/execute.ts';
import { JsonCommandError, runMqscJson, validateJsonCommand } from './mqsc/json-command.ts';
import { mqwb, sendError, sendJson } from './mqweb-errors.ts';
import { reasonNames } from './messages.ts';
import { noCorrelId } from './mq-format.ts';

export interface MqwebCredentials {
  user: string;
  password: string;
}

const mqscPath = /^\/ibmmq\/rest\/v[123]\/admin\/action\/qmgr\/([^/]+)\/mqsc$/;
const messagePath = /^\/ibmmq\/rest\/v[123]\/messaging\/qmgr\/([^/]+)\/queue\/([^/]+)\/message$/;
const qmgrListPath = /^\/ibmmq\/rest\/v[123]\/admin\/qmgr\/?$/;
const maxBody = 1024 * 1024;

export function createMqwebHandler(
  estate: MqEstate,
  credentials: MqwebCredentials,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const authenticated = basicAuthOf(credentials);

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (!path.startsWith('/ibmmq/')) return false;
    if (!authenticated(req)) {
      sendError(res, 401, mqwb.notAuthenticated(path), { 'WWW-Authenticate': 'Basic realm="defaultRealm"' });
      return true;
    }
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD' && req.headers['ibm-mq-rest-csrf-token'] === undefined) {
      sendError(res, 403, mqwb.csrfMissing());
      return true;
    }
    try {
      let m: RegExpMatchArray | null;
      if ((m = path.match(mqscPath))) {
        if (method !== 'POST') return methodNotAllowed(res, 'POST');
        await handleMqsc(estate, decodeURIComponent(m[1] ?? ''), req, res);
      } else if ((m = path.match(messagePath))) {
        const qmgr = decodeURIComponent(m[1] ?? '');
        const queue = decodeURIComponent(m[2] ?? '');
        if (method === 'POST') await handlePut(estate, qmgr, queue, req, res);
        else if (method === 'DELETE') await handleGet(estate, qmgr, queue, url, res, true);
        else if (method === 'GET') await handleGet(estate, qmgr, queue, url, res, false);
        else return methodNotAllowed(res, 'GET, POST, DELETE');
      } else if (qmgrListPath.test(path) && method === 'GET') {
        sendJson(res, 200, { qmgr: estate.qmgrNames().map((name) => ({ name, state: 'running' })) });
      } else {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`SRVE0190E: File not found: ${path}`);
      }
    } catch (err) {
      if (err instanceof MqObjectNotFoundError && !err.queue)
        sendError(res, 404, mqwb.qmgrNotFound(err.qmgr));
      else if (err instanceof MqObjectNotFoundError) {
        sendError(res, 404, mqwb.mqFailure(2085, 'MQRC_UNKNOWN_OBJECT_NAME', `queue '${err.queue}'`));
      } else if (err instanceof MqPutError) {
        sendError(
          res,
          409,
          mqwb.mqFailure(err.reason, reasonNames[err.reason] ?? 'MQRC', `queue '${err.queue}'`),
        );
      } else if (err instanceof BadRequest) sendError(res, err.status, err.error);
      else throw err;
    }
    return true;
  };
}

class BadRequest extends Error {
  constructor(
    readonly status: number,
    readonly error: ReturnType<typeof mqwb.badBody>,
  ) {
    super(error.message);
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Whether a request carries these credentials (basic authentication); digests are compared, so
 * neither the length nor the content of the secret leaks through timing.
 */
export function basicAuthOf(credentials: MqwebCredentials): (req: IncomingMessage) => boolean {
  const expected = digest(`${credentials.user}:${credentials.password}`);
  return (req) => {
    const header = req.headers.authorization ?? '';
    const m = /^Basic\s+(\S+)$/i.exec(header);
    const given = m ? Buffer.from(m[1] ?? '', 'base64').toString('utf8') : '';
    return timingSafeEqual(digest(given), expected) && m !== null;
  };
}

function methodNotAllowed(res: ServerResponse, allow: string): true {
  res.writeHead(405, { Allow: allow, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end('Method Not Allowed');
  return true;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > maxBody) throw new BadRequest(413, mqwb.badBody('the request body is larger than 1 MB.'));
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function requireQmgr(estate: MqEstate, qmgr: string): void {
  if (!estate.queueManager(qmgr)) throw new MqObjectNotFoundError(qmgr);
}

async function handleMqsc(
  estate: MqEstate,
  qmgr: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  requireQmgr(estate, qmgr);
  const text = await readBody(req);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new BadRequest(400, mqwb.badBody(`the body is not JSON (${(err as Error).message}).`));
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequest(400, mqwb.badBody('the body must be a JSON object.'));
  }
  const obj = body as Record<string, unknown>;
  if (obj.type === 'runCommand') {
    const params = obj.parameters as Record<string, unknown> | undefined;
    const command = params && typeof params === 'object' ? params.command : undefined;
    if (typeof command !== 'string' || command.trim() === '') {
      throw new BadRequest(
        400,
        mqwb.badBody("'parameters.command' must be a non-empty string holding one MQSC command."),
      );
    }
    const out = runMqsc(estate, qmgr, command);
    sendJson(res, 200, {
      commandResponse: out.items.map((i) => ({
        completionCode: i.completionCode,
        reasonCode: i.reasonCode,
        text: i.text,
      })),
      overallCompletionCode: out.overallCompletionCode,
      overallReasonCode: out.overallReasonCode,
    });
  } else if (obj.type === 'runCommandJSON') {
    try {
      sendJson(res, 200, runMqscJson(estate, qmgr, validateJsonCommand(obj)));
    } catch (err) {
      if (err instanceof JsonCommandError) throw new BadRequest(400, mqwb.badBody(err.message));
      throw err;
    }
  } else {
    throw new BadRequest(400, mqwb.badBody('\'type\' must be "runCommand" or "runCommandJSON".'));
  }
}

async function handlePut(
  estate: MqEstate,
  qmgr: string,
  queue: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  requireQmgr(estate, qmgr);
  const contentType = (req.headers['content-type'] ?? 'text/plain').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!/^(text\/[a-z0-9.+-]+|application\/json|application\/xml)$/.test(contentType)) {
    throw new BadRequest(415, mqwb.unsupportedMediaType(contentType));
  }
  const body = await readBody(req);
  const correlId = header(req, 'ibm-mq-md-correlationid');
  const persistence = header(req, 'ibm-mq-md-persistence');
  const { msgId } = estate.put(qmgr, queue, body, {
    ...(correlId ? { correlId } : {}),
    persistent: persistence !== 'nonPersistent',
    putApplName: 'mqweb',
  });
  res.writeHead(201, { 'ibm-mq-md-messageId': msgId, 'Content-Length': 0 });
  res.end();
}

async function handleGet(
  estate: MqEstate,
  qmgr: string,
  queue: string,
  url: URL,
  res: ServerResponse,
  destructive: boolean,
): Promise<void> {
  requireQmgr(estate, qmgr);
  const match = {
    ...(url.searchParams.get('messageId') ? { msgId: url.searchParams.get('messageId') ?? '' } : {}),
    ...(url.searchParams.get('correlationId')
      ? { correlId: url.searchParams.get('correlationId') ?? '' }
      : {}),
  };
  const wait = Math.min(Number(url.searchParams.get('wait') ?? 0) || 0, 30000);
  const deadline = Date.now() + wait;
  for (;;) {
    const msg = destructive
      ? estate.get(qmgr, queue, match)
      : estate
          .browse(qmgr, queue)
          .find(
            (m) =>
              (!match.msgId || m.msgId === match.msgId.toUpperCase()) &&
              (!match.correlId || m.correlId === match.correlId.toUpperCase()),
          );
    if (msg) {
      const headers: Record<string, string | number> = {
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Length': Buffer.byteLength(msg.body),
        'ibm-mq-md-messageId': msg.msgId,
        'ibm-mq-md-persistence': msg.persistent ? 'persistent' : 'nonPersistent',
        'ibm-mq-md-expiry': 'unlimited',
      };
      if (msg.correlId !== noCorrelId) headers['ibm-mq-md-correlationId'] = msg.correlId;
      res.writeHead(200, headers);
      res.end(msg.body);
      return;
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  res.writeHead(204);
  res.end();
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
