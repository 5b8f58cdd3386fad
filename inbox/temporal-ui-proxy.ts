/**
 * The Temporal Web UI behind the inbox: a small reverse proxy over node:http that forwards
 * `<path>/…` to the UI's own server (started with the same public path and bound privately), so
 * engineers open the UI on the inbox's origin. The inbox decides who gets here; this module only
 * forwards — request bodies bounded, hop-by-hop headers dropped, the inbox's own cookies kept
 * from the UI, redirects to the upstream rewritten to this origin, responses streamed as they
 * come (long polls and server-sent events included).
 */
import { request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';

export interface TemporalUiProxyOptions {
  /** The UI's own server, e.g. http://127.0.0.1:8233. */
  upstream: URL;
  /** Cookies of the inbox that the UI never sees (the session id above all). */
  ownCookies: readonly string[];
  log: Logger;
  /** Largest request body forwarded; default 4 MiB (the UI's largest are Start Workflow and signals). */
  maxBodyBytes?: number;
  /** How long the upstream may take to answer; default 2 minutes. */
  timeoutMs?: number;
}

export type TemporalUiProxy = (req: IncomingMessage, res: ServerResponse) => void;

const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function forwardable(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const listed = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase()),
  );
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || hopByHop.has(name) || listed.has(name)) continue;
    out[name] = value;
  }
  return out;
}

function withoutCookies(header: string | undefined, names: readonly string[]): string | undefined {
  if (!header) return undefined;
  const kept = header
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part && !names.includes(part.slice(0, part.indexOf('=')).trim()));
  return kept.length > 0 ? kept.join('; ') : undefined;
}

export function createTemporalUiProxy(options: TemporalUiProxyOptions): TemporalUiProxy {
  const { upstream, log } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 120_000;

  const fail = (res: ServerResponse, status: number, message: string) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-store',
      ...(status === 413 && { Connection: 'close' }),
    });
    res.end(message);
  };

  return (req, res) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBodyBytes) {
      fail(res, 413, `request body: expected at most ${maxBodyBytes} bytes`);
      return;
    }
    const headers = forwardable(req.headers);
    const cookie = withoutCookies(req.headers.cookie, options.ownCookies);
    if (cookie) headers.cookie = cookie;
    else delete headers.cookie;
    headers.host = upstream.host;
    headers['x-forwarded-host'] = req.headers.host ?? '';
    headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';

    const outgoing = request(
      {
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers,
        timeout: timeoutMs,
      },
      (answer) => {
        const back = forwardable(answer.headers);
        const location = answer.headers.location;
        if (location?.startsWith(upstream.origin))
          back.location = location.slice(upstream.origin.length) || '/';
        res.writeHead(answer.statusCode ?? 502, back);
        answer.pipe(res);
        answer.once('error', () => res.destroy());
      },
    );
    // Once we have answered or the browser has gone, an upstream error is no news.
    let settled = false;
    outgoing.once('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.once('error', (err) => {
      if (settled) return;
      settled = true;
      log.warn({ err, path: req.url }, 'Temporal Web UI unreachable');
      fail(res, 502, 'The Temporal Web UI cannot be reached just now. / 暂时无法连接 Temporal Web UI。');
    });
    res.once('close', () => {
      if (res.writableFinished) return;
      settled = true;
      outgoing.destroy();
    });

    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes && !settled) {
        settled = true;
        req.unpipe(outgoing);
        outgoing.destroy();
        fail(res, 413, `request body: expected at most ${maxBodyBytes} bytes`);
      }
    });
    req.pipe(outgoing);
  };
}
