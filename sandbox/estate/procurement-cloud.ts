/**
 * The procurement cloud (政采云) in the sandbox: its own database (zcy.db) of the contracts signed
 * on it and the payment confirmations (确认书) the payment system pushes, served on the sandbox's
 * port at the path of the site's `procurement.cloudUrl`:
 *   GET  …/health
 *   POST …/api/confirmations          { confirmationNo, contractNo, voucherNo, amountFen, paidAt }
 *   GET  …/api/confirmations/{no}
 *   GET  …/api/contracts/{no}         the contract with what has been confirmed against it
 * A confirmation is taken once (a repeat with the same content is acknowledged, 200 duplicate;
 * other content under the same number is a 409 conflict); one for an unknown contract or beyond
 * the contract's amount is refused (422) with the cloud's code. While the cloud is down every call
 * but health answers 503.
 */
import { mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';

const ddl = `
CREATE TABLE IF NOT EXISTS contracts (
  contract_no TEXT PRIMARY KEY, supplier_name TEXT NOT NULL, budget_unit_code TEXT NOT NULL,
  amount_fen INTEGER NOT NULL, fiscal_year INTEGER NOT NULL, signed_on TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS confirmations (
  confirmation_no TEXT PRIMARY KEY, contract_no TEXT NOT NULL, voucher_no TEXT NOT NULL,
  amount_fen INTEGER NOT NULL, paid_at TEXT NOT NULL, received_at TEXT NOT NULL,
  repeats INTEGER NOT NULL DEFAULT 0);
`;

export const confirmationSchema = z
  .object({
    confirmationNo: z.string().regex(/^[A-Za-z0-9-]{1,40}$/),
    contractNo: z.string().regex(/^[A-Za-z0-9-]{1,40}$/),
    voucherNo: z.string().regex(/^[A-Za-z0-9]{1,40}$/),
    amountFen: z.number().int().positive().max(1e13),
    paidAt: z.iso.datetime({ offset: true }),
  })
  .strict();
export type Confirmation = z.infer<typeof confirmationSchema>;

export interface CloudContract {
  contract_no: string;
  supplier_name: string;
  budget_unit_code: string;
  amount_fen: number;
  fiscal_year: number;
  signed_on: string;
}

export type ProcurementCloud = ReturnType<typeof openProcurementCloud>;

export function openProcurementCloud(path: string, now: () => Date) {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(ddl);
  let down = false;
  const contract = (no: string) =>
    db.prepare<[string], CloudContract>('SELECT * FROM contracts WHERE contract_no = ?').get(no);
  const confirmed = (no: string) =>
    db
      .prepare<
        [string],
        { confirmation_no: string; voucher_no: string; amount_fen: number; paid_at: string }
      >(
        'SELECT confirmation_no, voucher_no, amount_fen, paid_at FROM confirmations WHERE contract_no = ? ORDER BY received_at',
      )
      .all(no);

  /** What the cloud answers a push: HTTP status and body. */
  function receive(c: Confirmation): [number, Record<string, unknown>] {
    return db.transaction((): [number, Record<string, unknown>] => {
      const existing = db
        .prepare<[string], { contract_no: string; voucher_no: string; amount_fen: number; paid_at: string }>(
          'SELECT contract_no, voucher_no, amount_fen, paid_at FROM confirmations WHERE confirmation_no = ?',
        )
        .get(c.confirmationNo);
      if (existing) {
        db.prepare('UPDATE confirmations SET repeats = repeats + 1 WHERE confirmation_no = ?').run(
          c.confirmationNo,
        );
        const same =
          existing.contract_no === c.contractNo &&
          existing.voucher_no === c.voucherNo &&
          existing.amount_fen === c.amountFen &&
          existing.paid_at === c.paidAt;
        return same
          ? [200, { result: 'duplicate', confirmationNo: c.confirmationNo }]
          : [409, { code: 'CONFIRMATION_CONFLICT', message: '确认书编号已存在且内容不同' }];
      }
      const k = contract(c.contractNo);
      if (!k) return [422, { code: 'CONTRACT_UNKNOWN', message: `政采云无此合同：${c.contractNo}` }];
      const total = confirmed(c.contractNo).reduce((n, x) => n + x.amount_fen, 0);
      if (total + c.amountFen > k.amount_fen)
        return [
          422,
          {
            code: 'CONTRACT_EXCEEDED',
            message: `累计支付金额 ${total + c.amountFen} 分超过合同金额 ${k.amount_fen} 分`,
          },
        ];
      db.prepare(
        'INSERT INTO confirmations (confirmation_no, contract_no, voucher_no, amount_fen, paid_at, received_at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(c.confirmationNo, c.contractNo, c.voucherNo, c.amountFen, c.paidAt, now().toISOString());
      return [201, { result: 'accepted', confirmationNo: c.confirmationNo }];
    })();
  }

  return {
    addContracts(rows: readonly CloudContract[]): void {
      const insert = db.prepare(
        `INSERT OR REPLACE INTO contracts (contract_no, supplier_name, budget_unit_code, amount_fen, fiscal_year, signed_on)
         VALUES (@contract_no, @supplier_name, @budget_unit_code, @amount_fen, @fiscal_year, @signed_on)`,
      );
      db.transaction(() => rows.forEach((r) => insert.run(r)))();
    },
    receive,
    contract(no: string) {
      const k = contract(no);
      if (!k) return undefined;
      const list = confirmed(no);
      return { ...k, confirmedFen: list.reduce((n, x) => n + x.amount_fen, 0), confirmations: list };
    },
    confirmation(no: string) {
      return db
        .prepare<[string], Record<string, unknown>>('SELECT * FROM confirmations WHERE confirmation_no = ?')
        .get(no);
    },
    setDown: (value: boolean) => void (down = value),
    isDown: () => down,
    summary: () =>
      db
        .prepare<[], { contracts: number; confirmations: number }>(
          'SELECT (SELECT count(*) FROM contracts) AS contracts, (SELECT count(*) FROM confirmations) AS confirmations',
        )
        .get(),
    close: () => db.close(),
  };
}

/** The cloud's HTTP API at `basePath`. */
export function createCloudHandler(basePath: string, cloud: ProcurementCloud) {
  const base = basePath.replace(/\/$/, '');
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) return false;
    const path = url.pathname.slice(base.length);
    const method = req.method ?? 'GET';
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    const unavailable = () =>
      send(503, { code: 'SERVICE_UNAVAILABLE', message: '政采云服务维护中，请稍后重试' });
    let m: RegExpMatchArray | null;
    if (method === 'GET' && path === '/health') {
      if (cloud.isDown()) unavailable();
      else send(200, { status: 'ok', service: '政采云（沙箱）' });
    } else if (cloud.isDown()) unavailable();
    else if (method === 'POST' && path === '/api/confirmations') {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size <= 64 * 1024) chunks.push(chunk as Buffer);
      }
      let body: unknown;
      try {
        if (size > 64 * 1024) throw new RangeError('too large');
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        send(400, { code: 'BAD_REQUEST', message: 'body is not JSON of at most 64 KiB', field: '(body)' });
        return true;
      }
      const parsed = confirmationSchema.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field =
          issue?.code === 'unrecognized_keys' ? String(issue.keys[0]) : issue?.path.join('.') || '(body)';
        send(400, { code: 'BAD_REQUEST', message: `${field}: ${issue?.message ?? 'invalid'}`, field });
      } else send(...cloud.receive(parsed.data));
    } else if (method === 'GET' && (m = path.match(/^\/api\/confirmations\/([A-Za-z0-9-]+)$/))) {
      const found = cloud.confirmation(m[1] ?? '');
      send(found ? 200 : 404, found ?? { code: 'NOT_FOUND', message: '无此确认书' });
    } else if (method === 'GET' && (m = path.match(/^\/api\/contracts\/([A-Za-z0-9-]+)$/))) {
      const found = cloud.contract(m[1] ?? '');
      send(found ? 200 : 404, found ?? { code: 'NOT_FOUND', message: '无此合同' });
    } else send(404, { code: 'NOT_FOUND', message: `no such resource: ${method} ${path}` });
    return true;
  };
}
