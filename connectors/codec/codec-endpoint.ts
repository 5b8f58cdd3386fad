/**
 * Temporal's remote codec protocol over node:http, so authorized engineers read decrypted
 * payloads in the Temporal Web UI (and `temporal --codec-endpoint`) while history stays
 * encrypted. POST `<base>/decode` and `<base>/encode` take and return
 * `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }`; the UI adds `X-Namespace`.
 *
 * The UI calls from the origins listed (the inbox's own, when the inbox serves the UI) with the
 * inbox session cookie, so CORS names that exact origin and allows credentials; requests from any
 * other origin are refused, which also keeps other sites from driving the endpoint with a user's
 * cookie. Who may decode and who may encode is the caller's decision (`authorize`, per operation:
 * encoding is how a payload the workers accept is made without the key); every call is logged
 * with who and how many payloads, never their content.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Logger } from 'pino';

export interface CodecCaller {
  user: string;
}

export type CodecOperation = 'decode' | 'encode';

export interface CodecEndpointOptions {
  codec: PayloadCodec;
  /** Origins of the Temporal Web UI (scheme://host:port) allowed to call with credentials. */
  uiOrigins: readonly string[];
  /** The authenticated caller allowed this operation, or undefined (answered with 401). */
  authorize(req: IncomingMessage, operation: CodecOperation): Promise<CodecCaller | undefined>;
  log: Logger;
  /** Path the endpoint is mounted at; default `/codec`. */
  basePath?: string;
  /** Largest request body accepted; default 8 MiB. */
  maxBodyBytes?: number;
}

/** Handles a request under `basePath` and resolves true; resolves false (untouched) otherwise. */
export type CodecRequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const allowedHeaders = ['content-type', 'x-namespace', 'authorization'];

export function createCodecEndpoint(options: CodecEndpointOptions): CodecRequestHandler {
  const base = (options.basePath ?? '/codec').replace(/\/+$/, '');
  const maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const origins = new Set(options.uiOrigins.map((o) => new URL(o).origin));
  const operations = {
    [`${base}/decode`]: 'decode',
    [`${base}/encode`]: 'encode',
  } as const;

  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://codec.invalid').pathname;
    const operation = operations[path];
    if (!operation) return false;

    const origin = req.headers.origin;
    const fromUi = origin !== undefined && origins.has(origin);
    if (fromUi) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    res.setHeader('Vary', 'Origin');
    try {
      // Browsers send an Origin on every cross-origin call; one not listed is another site.
      if (origin !== undefined && !fromUi) {
        throw new HttpError(403, 'origin_not_allowed', `origin ${origin} may not use the codec endpoint`);
      }
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'Access-Control-Allow-Methods': 'POST, OPTIONS',
          'Access-Control-Allow-Headers': allowedHeaders.join(', '),
          'Access-Control-Max-Age': '600',
        });
        res.end();
        return true;
      }
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST, OPTIONS');
        throw new HttpError(405, 'method_not_allowed', `${req.method} ${path}: expected POST`);
      }
      const caller = await options.authorize(req, operation);
      if (!caller)
        throw new HttpError(401, 'unauthorized', `sign in with a role that may ${operation} payloads`);
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (contentType !== 'application/json') {
        throw new HttpError(415, 'unsupported_media_type', 'content-type: expected application/json');
      }
      const payloads = parseBody(await readBody(req, maxBodyBytes));
      let result: Payload[];
      try {
        result = await options.codec[operation](payloads);
      } catch (err) {
        throw new HttpError(422, 'codec_failed', `cannot ${operation}: ${(err as Error).message}`);
      }
      const namespace = headerValue(req.headers['x-namespace']);
      options.log.info(
        { user: caller.user, operation, namespace, payloads: payloads.length },
        `codec ${operation}`,
      );
      // Decoded payloads are the very data history hides: no cache may keep them.
      sendJson(res, 200, { payloads: result.map(toJson) });
    } catch (err) {
      if (err instanceof HttpError) {
        if (err.status === 401 || err.status === 403) {
          options.log.warn({ status: err.status, path, origin }, `codec request refused: ${err.message}`);
        }
        if (err.status === 413) res.setHeader('Connection', 'close');
        sendJson(res, err.status, { error: err.code, message: err.message });
      } else {
        options.log.error({ err, path }, 'codec request failed');
        if (!res.headersSent) sendJson(res, 500, { error: 'internal', message: 'the codec endpoint failed' });
        else res.destroy();
      }
    }
    return true;
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw new HttpError(413, 'body_too_large', `request body: expected at most ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// proto3 JSON allows both base64 alphabets.
const base64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function parseBody(text: string): Payload[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'bad_request', 'body: expected JSON');
  }
  if (
    typeof body !== 'object' ||
    body === null ||
    !Array.isArray((body as { payloads?: unknown }).payloads)
  ) {
    throw new HttpError(400, 'bad_request', 'payloads: expected an array of payloads');
  }
  return (body as { payloads: unknown[] }).payloads.map((raw, i) => fromJson(raw, `payloads[${i}]`));
}

function decodeBase64(value: unknown, field: string): Uint8Array {
  if (typeof value !== 'string' || !base64.test(value)) {
    throw new HttpError(400, 'bad_request', `${field}: expected a base64 string`);
  }
  return Buffer.from(value, 'base64');
}

function fromJson(raw: unknown, field: string): Payload {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new HttpError(400, 'bad_request', `${field}: expected an object with metadata and data`);
  }
  const { metadata, data } = raw as { metadata?: unknown; data?: unknown };
  if (
    metadata !== undefined &&
    metadata !== null &&
    (typeof metadata !== 'object' || Array.isArray(metadata))
  ) {
    throw new HttpError(400, 'bad_request', `${field}.metadata: expected an object of base64 strings`);
  }
  const payload: Payload = {
    metadata: Object.fromEntries(
      Object.entries((metadata ?? {}) as Record<string, unknown>).map(([k, v]) => [
        k,
        decodeBase64(v, `${field}.metadata.${k}`),
      ]),
    ),
  };
  if (data !== undefined && data !== null) payload.data = decodeBase64(data, `${field}.data`);
  return payload;
}

function toJson(payload: Payload): JsonPayload {
  const json: JsonPayload = {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
  };
  if (payload.data) json.data = Buffer.from(payload.data).toString('base64');
  return json;
}
