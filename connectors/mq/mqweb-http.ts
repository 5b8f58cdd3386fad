/**
 * The HTTP layer shared by the mqweb admin and messaging adapters: basic auth, the CSRF header
 * mqweb demands on every non-GET request, a timeout on every request, an optional private CA,
 * and the mapping of transport and HTTP failures to the port's typed errors. Requests go through
 * an undici Pool per mqweb base URL, its connections kept alive: a worker or program sends many
 * small requests, and undici's request costs about half the CPU of node:http's for each (`fetch`
 * costs several times more).
 */
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { MqAuthError, MqUnreachableError } from './port.ts';
import { MqConfigError, MqwebApiError } from './errors.ts';

export interface MqwebConnectionOptions {
  /** e.g. `https://mq.example:9443`; `/ibmmq/rest/v2/…` is appended. */
  baseUrl: string;
  user: string;
  password: string;
  /** PEM file of the CA that signed mqweb's certificate. */
  caFile?: string;
  /** Per request; default 30 s (PING CHANNEL waits for the partner). */
  timeoutMs?: number;
  /** Any value satisfies mqweb; sent on every request. */
  csrfToken?: string;
}

export interface HttpReply {
  status: number;
  headers: Headers;
  body: string;
}

export interface MqwebRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path under `/ibmmq/rest/v2/`, segments already encoded, query included. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export const defaultMqwebTimeoutMs = 30_000;

/**
 * Encodes a queue manager name for a URL path: IBM requires `/`, `%` and `.` encoded
 * (`QM.CZ` → `QM%2ECZ`), so a server must decode path segments before matching them.
 */
export function encodeQmgrSegment(qmgr: string): string {
  return encodeURIComponent(qmgr).replace(/\./g, '%2E');
}

/** Encodes a queue name for a URL path (`/` and `%` must be encoded; `.` may stay). */
export function encodeQueueSegment(queue: string): string {
  return encodeURIComponent(queue);
}

export class MqwebHttp {
  readonly timeoutMs: number;
  readonly #root: URL;
  readonly #auth: string;
  readonly #csrf: string;
  readonly #pool: Pool;

  constructor(options: MqwebConnectionOptions) {
    let root: URL;
    try {
      root = new URL(options.baseUrl.replace(/\/+$/, '') + '/ibmmq/rest/v2/');
    } catch (err) {
      throw new MqConfigError(`mqweb baseUrl is not a URL: ${options.baseUrl}`, { cause: err });
    }
    this.#root = root;
    this.#auth = 'Basic ' + Buffer.from(`${options.user}:${options.password}`, 'utf8').toString('base64');
    this.#csrf = options.csrfToken ?? 'jincai-runbooks';
    this.timeoutMs = options.timeoutMs ?? defaultMqwebTimeoutMs;
    if (options.caFile && root.protocol !== 'https:')
      throw new MqConfigError(`mq.mqweb.caFile is set but ${options.baseUrl} is not https`);
    this.#pool = new Pool(root.origin, {
      connect: { timeout: this.timeoutMs, ...(options.caFile && { ca: readCa(options.caFile) }) },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
  }

  /** Sends one request; HTTP errors become typed errors, any 2xx is returned. */
  async send(qmgr: string, req: MqwebRequest): Promise<HttpReply> {
    const path = this.#root.pathname + req.path;
    let reply: HttpReply;
    try {
      const res = await this.#pool.request({
        path,
        method: req.method,
        headers: {
          authorization: this.#auth,
          'ibm-mq-rest-csrf-token': this.#csrf,
          accept: 'application/json',
          ...req.headers,
        },
        ...(req.body !== undefined && { body: req.body }),
      });
      const headers = new Headers();
      for (const [k, v] of Object.entries(res.headers)) {
        if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
      }
      reply = { status: res.statusCode, headers, body: await res.body.text() };
    } catch (err) {
      throw new MqUnreachableError(
        qmgr,
        `mqweb at ${this.#root.origin} unreachable: ${describeTransportError(err)}`,
        {
          cause: err,
        },
      );
    }
    if (reply.status === 401 || reply.status === 403) {
      throw new MqAuthError(
        qmgr,
        `mqweb refused the credentials (HTTP ${reply.status}) for ${req.method} ${path.split('?')[0]}`,
      );
    }
    if (reply.status < 200 || reply.status > 299) throw apiError(qmgr, reply);
    return reply;
  }

  /** Closes the kept-alive connections. */
  async close(): Promise<void> {
    await this.#pool.close();
  }
}

function readCa(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new MqConfigError(`Cannot read mq.mqweb.caFile ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** undici's timeouts, told as the request timing out. */
const timeoutCodes = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function describeTransportError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    const code = (cause as { code?: string } | undefined)?.code ?? (err as { code?: string }).code;
    const detail = cause instanceof Error ? cause.message : err.message;
    if (code && timeoutCodes.has(code)) return `ETIMEDOUT (request timed out: ${detail})`;
    return code ? `${code} (${detail})` : detail;
  }
  return String(err);
}

interface MqwebErrorItem {
  msgId?: string;
  messageId?: string;
  message?: string;
  explanation?: string;
  action?: string;
  reasonCode?: number;
}

function apiError(qmgr: string, reply: HttpReply): MqwebApiError {
  let item: MqwebErrorItem | undefined;
  try {
    const parsed = JSON.parse(reply.body) as { error?: MqwebErrorItem[] };
    item = Array.isArray(parsed.error) ? parsed.error[0] : undefined;
  } catch {
    item = undefined;
  }
  return new MqwebApiError(
    qmgr,
    reply.status,
    item?.msgId ?? item?.messageId ?? '',
    item?.explanation ?? '',
    item?.action ?? '',
    item?.message ?? (reply.body.slice(0, 200) || `HTTP ${reply.status}`),
    typeof item?.reasonCode === 'number' ? item.reasonCode : undefined,
  );
}
