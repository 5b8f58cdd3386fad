/**
 * The exchange client's side of the province platform's API: every request signed with the
 * client's certificate key (domain/exchange-protocol.ts). A refusal (HTTP 4xx/5xx with the
 * platform's code) is a `PlatformRefusal`; a network failure is thrown as it comes.
 */
import { createHash, sign } from 'node:crypto';
import {
  exchangeHeaders,
  signingInput,
  type DownVoucher,
  type ItemKey,
  type ItemResult,
  type PaymentData,
  type VoucherStatusAnswer,
} from '../../domain/exchange-protocol.ts';

export class PlatformRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'PlatformRefusal';
  }
}

export interface ClientCredentials {
  privateKeyPem: string;
  /** The client's certificate, DER in base64. */
  certificateB64: string;
}

export type PlatformClient = ReturnType<typeof createPlatformClient>;

export function createPlatformClient(options: {
  /** e.g. http://127.0.0.1:9080/province/exchange */
  baseUrl: string;
  division: string;
  credentials: () => ClientCredentials;
  now: () => Date;
  timeoutMs?: number;
}) {
  const base = new URL(options.baseUrl.replace(/\/$/, ''));

  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T | undefined> {
    const url = new URL(`${base.pathname}${path}`, base);
    const text = body === undefined ? '' : JSON.stringify(body);
    const timestamp = options.now().toISOString();
    const { privateKeyPem, certificateB64 } = options.credentials();
    const digest = createHash('sha256').update(text, 'utf8').digest('hex');
    const signature = sign(
      'sha256',
      Buffer.from(signingInput(method, `${url.pathname}${url.search}`, timestamp, digest)),
      privateKeyPem,
    ).toString('base64');
    const res = await fetch(url, {
      method,
      headers: {
        [exchangeHeaders.division]: options.division,
        [exchangeHeaders.timestamp]: timestamp,
        [exchangeHeaders.certificate]: certificateB64,
        [exchangeHeaders.signature]: signature,
        ...(body !== undefined && { 'content-type': 'application/json; charset=utf-8' }),
      },
      ...(body !== undefined && { body: text }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const answer = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
    if (res.status === 404 && answer.code === 'NOT_FOUND') return undefined;
    if (!res.ok)
      throw new PlatformRefusal(res.status, answer.code ?? `HTTP_${res.status}`, answer.message ?? '');
    return answer as T;
  }
  const keyPath = (k: ItemKey) => `${k.fiscalYear}/${k.voucherType}/${encodeURIComponent(k.voucherNo)}`;
  const results = async (path: string, items: readonly unknown[]) =>
    ((await call<{ results: ItemResult[] }>('POST', path, { items })) as { results: ItemResult[] }).results;

  return {
    async unsigned(voucherType: string, limit: number): Promise<{ vouchers: DownVoucher[]; more: boolean }> {
      const q = new URLSearchParams({ voucherType, limit: String(limit) });
      return (await call('GET', `/vouchers/unsigned?${q}`)) as { vouchers: DownVoucher[]; more: boolean };
    },
    /** Status query (状态查询) of a voucher the platform issued; undefined when it has no such voucher. */
    voucher: (k: ItemKey) => call<VoucherStatusAnswer>('GET', `/vouchers/${keyPath(k)}`),
    /** The payment data the platform holds for a voucher; undefined when none has arrived. */
    payment: (k: ItemKey) => call<PaymentData & { receivedAt: string }>('GET', `/payments/${keyPath(k)}`),
    sign: (keys: readonly ItemKey[]) => results('/vouchers/sign', keys),
    returnItems: (items: readonly (ItemKey & { reason: string })[]) => results('/vouchers/return', items),
    upload: (items: readonly PaymentData[]) => results('/payments', items),
  };
}
