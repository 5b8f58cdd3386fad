/**
 * The province platform's HTTP API, served by the sandbox server under the path of the site's
 * `exchange.platformUrl` (e.g. /province/exchange):
 *   GET  …/health
 *   GET  …/vouchers/unsigned?voucherType=5201[&fiscalYear=2026][&limit=100]   at most 100 a read
 *   GET  …/vouchers/{year}/{type}/{no}          status query (state, reason, the voucher)
 *   POST …/vouchers/sign     { items: [key…] }                  签收
 *   POST …/vouchers/return   { items: [{ …key, reason }…] }     退回
 *   POST …/payments          { items: [payment data…] }         上行
 *   GET  …/payments/{year}/{type}/{no}
 * Every call but health carries the client's certificate and a signature over the request
 * (domain/exchange-protocol.ts); the platform checks the certificate against the province's CA,
 * its validity and division, then the signature, and refuses with a code before reading anything.
 */
import { createHash, createPublicKey, verify, X509Certificate, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { z } from 'zod';
import {
  certificateDivision,
  exchangeHeaders,
  itemKeySchema,
  maxClockSkewMs,
  refusalCodes,
  returnRequestSchema,
  signingInput,
  signRequestSchema,
  unsignedQuerySchema,
  uploadRequestSchema,
  type RefusalCode,
} from '../../domain/exchange-protocol.ts';
import type { ProvincePlatform } from './province-platform.ts';

export interface PlatformRouteDeps {
  basePath: string;
  platform: ProvincePlatform;
  /** The province CA's certificate (made on first use). */
  caCertPem: () => Promise<string>;
  now: () => Date;
  /** Fault: uploads are refused as the platform is busy (an uplink backlog builds up). */
  uplinkBusy: () => boolean;
  log?: Logger;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: RefusalCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const MAX_BODY = 1024 * 1024;

export function createPlatformHandler(deps: PlatformRouteDeps) {
  const base = deps.basePath.replace(/\/$/, '');
  let caKey: KeyObject | undefined;

  async function authenticate(req: IncomingMessage, pathAndQuery: string, body: Buffer): Promise<string> {
    caKey ??= createPublicKey(await deps.caCertPem());
    const header = (name: string) => {
      const v = req.headers[name];
      return typeof v === 'string' ? v : undefined;
    };
    const [division, timestamp, certB64, signature] = [
      header(exchangeHeaders.division),
      header(exchangeHeaders.timestamp),
      header(exchangeHeaders.certificate),
      header(exchangeHeaders.signature),
    ];
    if (!division || !timestamp || !certB64 || !signature)
      throw new Refusal(401, refusalCodes.signatureInvalid, '缺少签名信息（区划、时间戳、证书或签名）');
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(Buffer.from(certB64, 'base64'));
    } catch {
      throw new Refusal(401, refusalCodes.certificateUntrusted, '证书无法解析');
    }
    if (!cert.verify(caKey)) throw new Refusal(401, refusalCodes.certificateUntrusted, '证书不是省级CA签发');
    const now = deps.now().getTime();
    if (now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo))
      throw new Refusal(401, refusalCodes.certificateExpired, `证书不在有效期内（${cert.validTo} 到期）`);
    if (certificateDivision(cert.subject) !== division)
      throw new Refusal(401, refusalCodes.divisionMismatch, `证书区划与请求区划 ${division} 不符`);
    if (Math.abs(now - Date.parse(timestamp)) > maxClockSkewMs || Number.isNaN(Date.parse(timestamp)))
      throw new Refusal(401, refusalCodes.timestampSkew, '请求时间戳超出允许范围');
    const input = signingInput(
      req.method ?? 'GET',
      pathAndQuery,
      timestamp,
      createHash('sha256').update(body).digest('hex'),
    );
    if (!verify('sha256', Buffer.from(input), cert.publicKey, Buffer.from(signature, 'base64')))
      throw new Refusal(401, refusalCodes.signatureInvalid, '签名验证失败');
    return division;
  }

  const parse = <T>(schema: z.ZodType<T>, value: unknown): T => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const field =
      issue?.code === 'unrecognized_keys' ? String(issue.keys[0]) : issue?.path.join('.') || '(body)';
    throw new Refusal(400, refusalCodes.badRequest, `${field}: ${issue?.message ?? 'invalid'}`, field);
  };
  const json = (body: Buffer) => {
    try {
      return body.length ? (JSON.parse(body.toString('utf8')) as unknown) : {};
    } catch {
      throw new Refusal(400, refusalCodes.badRequest, 'body is not JSON', '(body)');
    }
  };
  const keyOf = (m: RegExpMatchArray) =>
    parse(itemKeySchema, {
      fiscalYear: Number(m[1]),
      voucherType: m[2],
      voucherNo: decodeURIComponent(m[3] ?? ''),
    });

  const notFound = (message: string): [number, unknown] => [404, { code: 'NOT_FOUND', message }];

  function route(method: string, path: string, url: URL, body: Buffer, division: string): [number, unknown] {
    const { platform } = deps;
    let m: RegExpMatchArray | null;
    if (method === 'GET' && path === '/vouchers/unsigned')
      return [
        200,
        platform.unsigned(division, parse(unsignedQuerySchema, Object.fromEntries(url.searchParams))),
      ];
    if (method === 'GET' && (m = path.match(/^\/vouchers\/(\d{4})\/(\d{4})\/([^/]+)$/))) {
      const answer = platform.status(division, keyOf(m));
      return answer ? [200, answer] : notFound('无此凭证');
    }
    if (method === 'POST' && path === '/vouchers/sign')
      return [200, { results: platform.sign(division, parse(signRequestSchema, json(body)).items) }];
    if (method === 'POST' && path === '/vouchers/return')
      return [200, { results: platform.returnItems(division, parse(returnRequestSchema, json(body)).items) }];
    if (method === 'POST' && path === '/payments') {
      const { items } = parse(uploadRequestSchema, json(body));
      if (deps.uplinkBusy()) throw new Refusal(503, refusalCodes.busy, '省级平台繁忙，请稍后重试');
      return [200, { results: platform.upload(division, items) }];
    }
    if (method === 'GET' && (m = path.match(/^\/payments\/(\d{4})\/(\d{4})\/([^/]+)$/))) {
      const answer = platform.payment(division, keyOf(m));
      return answer ? [200, answer] : notFound('无此支付数据');
    }
    return notFound(`no such resource: ${method} ${path}`);
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) return false;
    const path = url.pathname.slice(base.length) || '/';
    const method = req.method ?? 'GET';
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    if (method === 'GET' && path === '/health') {
      send(200, { status: 'ok', platform: '预算管理一体化数据交换平台（沙箱）' });
      return true;
    }
    try {
      const body = await readBody(req);
      const division = await authenticate(req, `${url.pathname}${url.search}`, body);
      send(...route(method, path, url, body, division));
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      deps.log?.warn({ code: err.code, path }, 'province platform refused a request');
      send(
        err.status,
        { code: err.code, message: err.message, ...(err.field && { field: err.field }) },
        err.status === 503 ? { 'retry-after': '30' } : {},
      );
    }
    return true;
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Refusal(413, refusalCodes.badRequest, 'body too large', '(body)');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
