/**
 * The sandbox's stand-in for the MQI connection a send/receive program holds (a client
 * connection, MQCONNX): several MQPUTs under syncpoint and their MQCMIT, a browse of the next
 * messages, several MQGETs by message id under syncpoint — each one HTTP request, where mqweb's
 * messaging REST API takes a request per message. Not an IBM interface (a real program links the
 * MQ client library), and nothing of the engine uses it: the engine reaches the queue managers
 * through mqweb and runmqsc only.
 *
 *   POST /sandbox/mqi/qmgr/{qmgr}/queue/{queue}/put     {"messages": ["…"]}  → 201 {"messageIds": […]}
 *   GET  /sandbox/mqi/qmgr/{qmgr}/queue/{queue}/browse?limit=N                → 200 {"messages": [{messageId, correlationId?, body}]}
 *   POST /sandbox/mqi/qmgr/{qmgr}/queue/{queue}/get     {"messageIds": […]}  → 200 {"messageIds": [those got]}
 *
 * A put is all or nothing: the queue manager refusing one message (409 with its MQRC) backs out
 * the others. Basic authentication with mqweb's credentials.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MqEstate } from './estate.ts';
import { MqObjectNotFoundError, MqPutError } from './estate.ts';
import { reasonNames } from './messages.ts';
import { noCorrelId } from './mq-format.ts';
import { sendJson } from './mqweb-errors.ts';
import { basicAuthOf, type MqwebCredentials } from './mqweb-routes.ts';

const mqiPath = /^\/sandbox\/mqi\/qmgr\/([^/]+)\/queue\/([^/]+)\/(put|browse|get)$/;
/** A round's batch of messages: a few hundred of about a kilobyte. */
const maxBody = 16 * 1024 * 1024;
const maxBrowse = 1000;

class BadRequest extends Error {}

export function createMqiHandler(
  estate: MqEstate,
  credentials: MqwebCredentials,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const authenticated = basicAuthOf(credentials);
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = mqiPath.exec(url.pathname);
    if (!m) return false;
    if (!authenticated(req)) {
      sendJson(res, 401, { error: 'authentication required' }, { 'WWW-Authenticate': 'Basic realm="mqi"' });
      return true;
    }
    const qmgr = decodeURIComponent(m[1] ?? '');
    const queue = decodeURIComponent(m[2] ?? '');
    const verb = `${req.method ?? 'GET'} ${m[3] ?? ''}`;
    try {
      if (verb === 'POST put') {
        const messages = (await readJson(req)).messages;
        if (!Array.isArray(messages) || !messages.every((b) => typeof b === 'string'))
          throw new BadRequest("'messages' must be an array of strings");
        sendJson(res, 201, { messageIds: estate.putAll(qmgr, queue, messages as string[]).msgIds });
      } else if (verb === 'GET browse') {
        const limit = Number(url.searchParams.get('limit') ?? 1);
        if (!Number.isInteger(limit) || limit < 1 || limit > maxBrowse)
          throw new BadRequest(`'limit' must be an integer from 1 to ${maxBrowse}`);
        const messages = estate.browse(qmgr, queue, limit).map((msg) => ({
          messageId: msg.msgId,
          ...(msg.correlId !== noCorrelId && { correlationId: msg.correlId }),
          body: msg.body,
        }));
        sendJson(res, 200, { messages });
      } else if (verb === 'POST get') {
        const ids = (await readJson(req)).messageIds;
        if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string'))
          throw new BadRequest("'messageIds' must be an array of strings");
        sendJson(res, 200, { messageIds: estate.getAll(qmgr, queue, ids as string[]).map((g) => g.msgId) });
      } else {
        sendJson(res, 405, { error: `${req.method ?? 'GET'} is not allowed on ${m[3] ?? ''}` });
      }
    } catch (err) {
      if (err instanceof BadRequest) sendJson(res, 400, { error: err.message });
      else if (err instanceof MqObjectNotFoundError)
        sendJson(res, 404, { error: err.message, reason: err.queue ? 2085 : 2058 });
      else if (err instanceof MqPutError)
        sendJson(res, 409, { error: err.message, reason: err.reason, reasonName: reasonNames[err.reason] });
      else throw err;
    }
    return true;
  };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBody) throw new BadRequest(`the request body is larger than ${maxBody / 1024 / 1024} MB`);
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new BadRequest(`the body is not JSON (${(err as Error).message})`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BadRequest('the body must be a JSON object');
  return body as Record<string, unknown>;
}
