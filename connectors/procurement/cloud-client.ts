/**
 * The procurement cloud's (政采云) REST API as the engine reads it — its health, a confirmation by
 * number, a contract with what has been confirmed against it — over HTTP from the comm zone. The
 * engine never pushes a confirmation itself: the payment system's push job does, and a retry sets
 * the job's rows to be pushed again (activities/procurement-items.ts).
 */
import type { CloudContract } from '../../domain/runbooks/procurement-payment-check.types.ts';
import type { CloudView } from '../../domain/runbooks/procurement-push-retry.types.ts';

export type ProcurementCloudClient = ReturnType<typeof createProcurementCloudClient>;

/** What a GET answered: the JSON body on 200, undefined on 404; anything else throws. */
async function getJson(url: string, timeoutMs: number): Promise<Record<string, unknown> | undefined> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (res.status === 404) return undefined;
  const text = await res.text();
  if (res.status !== 200) throw new Error(`政采云 ${url} 应答 HTTP ${res.status}：${text.slice(0, 200)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

export function createProcurementCloudClient(cloudUrl: string, timeoutMs = 5000) {
  const base = cloudUrl.replace(/\/$/, '');
  const path = (segment: string, no: string) => `${base}/api/${segment}/${encodeURIComponent(no)}`;
  return {
    /** Whether the cloud answers its health URL with 2xx, and what it said. */
    async health(): Promise<{ answering: boolean; detail: string }> {
      try {
        const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(timeoutMs) });
        const text = (await res.text()).slice(0, 200);
        return { answering: res.ok, detail: `${base}/health HTTP ${res.status} ${text}`.trim() };
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause;
        return { answering: false, detail: `${base}/health: ${cause?.code ?? (err as Error).message}` };
      }
    },

    /** The confirmation under `confirmationNo` and the contract `contractNo`, as the cloud holds them. */
    async view(confirmationNo: string, contractNo: string): Promise<CloudView> {
      const [held, contract] = await Promise.all([
        getJson(path('confirmations', confirmationNo), timeoutMs),
        this.contract(contractNo),
      ]);
      return {
        ...(held && { held: { voucherNo: String(held.voucher_no), amountFen: Number(held.amount_fen) } }),
        ...(contract && {
          contract: {
            amountFen: contract.amountFen,
            confirmedFen: contract.confirmations.reduce((n, c) => n + c.amountFen, 0),
          },
        }),
      };
    },

    /** The contract `contractNo` with the confirmations the cloud holds against it (undefined: none such). */
    async contract(contractNo: string): Promise<CloudContract | undefined> {
      const k = await getJson(path('contracts', contractNo), timeoutMs);
      if (!k) return undefined;
      const held = Array.isArray(k.confirmations) ? (k.confirmations as Record<string, unknown>[]) : [];
      return {
        amountFen: Number(k.amount_fen),
        confirmations: held.map((c) => ({
          confirmationNo: String(c.confirmation_no),
          voucherNo: String(c.voucher_no),
          amountFen: Number(c.amount_fen),
        })),
      };
    },
  };
}
