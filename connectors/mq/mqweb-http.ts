/**
 * The HTTP layer shared by the mqweb admin and messaging adapters: basic auth, the CSRF header
 * mqweb demands on every non-GET request, a timeout on every request, an optional private CA,
 * and the mapping of transport and HTTP failures to the port's typed errors. Requests go through
 * node:http(s) with a keep-alive agent: a worker or program sends many small requests, and
 * `fetch` costs several times the CPU of a plain request for each.
 */
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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
  readonly #agent: HttpAgent | HttpsAgent;
  readonly #request: typeof httpRequest | typeof httpsRequest;

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
    if (root.protocol === 'https:') {
      this.#agent = new HttpsAgent({
        keepAlive: true,
        ...(options.caFile && { ca: readCa(options.caFile) }),
      });
      this.#request = httpsRequest;
    } else {
      this.#agent = new HttpAgent({ keepAlive: true });
      this.#request = httpRequest;
    }
  }

  /** Sends one request; HTTP errors become typed errors, any 2xx is returned. */
  async send(qmgr: string, req: MqwebRequest): Promise<HttpReply> {
    const url = new URL(req.path, this.#root);
    const headers: Record<string, string> = {
      authorization: this.#auth,
      'ibm-mq-rest-csrf-token': this.#csrf,
      accept: 'application/json',
      ...req.headers,
    };
    let reply: HttpReply;
    try {
      reply = await this.#send(url, req, headers);
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
        `mqweb refused the credentials (HTTP ${reply.status}) for ${req.method} ${url.pathname}`,
      );
    }
    if (reply.status < 200 || reply.status > 299) throw apiError(qmgr, reply);
    return reply;
  }

  #send(url: URL, req: MqwebRequest, headers: Record<string, string>): Promise<HttpReply> {
    return new Promise((resolve, reject) => {
      const r = this.#request(url, { method: req.method, headers, agent: this.#agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
          }
          resolve({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      r.setTimeout(this.timeoutMs, () =>
        r.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })),
      );
      r.on('error', reject);
      if (req.body !== undefined) r.write(req.body);
      r.end();
    });
  }
}

function readCa(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new MqConfigError(`Cannot read mq.mqweb.caFile ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function describeTransportError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    const code = (cause as { code?: string } | undefined)?.code ?? (err as { code?: string }).code;
    const detail = cause instanceof Error ? cause.message : err.message;
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
