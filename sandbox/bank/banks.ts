/**
 * All agent banks of the site, running inside the sandbox process over one shared books file.
 * The server calls `step()` on its tick; tests ask `ledger(code)` what a bank has booked and paid.
 */
import type { Logger } from 'pino';
import type { BankConfig, SiteConfig } from '../../temporal.config.ts';
import type { AgentBank, BankQueues } from './agent-bank.ts';
import { createAgentBank } from './agent-bank.ts';
import type { BankLedger, LedgerView } from './ledger.ts';
import { ledgerView } from './ledger.ts';

export interface Banks {
  codes: string[];
  bank(code: string): AgentBank;
  ledger(code: string): LedgerView;
  books: BankLedger;
  step(): void;
  /** A bank that comes online while the sandbox runs (its books must exist already). */
  add(config: BankConfig): void;
  /**
   * Fault: the bank's next `count` answers (of `msgType`, or of any kind) are lost on the way
   * back — the bank has done the work and booked it, but finance never hears.
   */
  loseAnswers(code: string, options?: { msgType?: string; count?: number }): void;
  /**
   * Fault: every acknowledgement and receipt of these vouchers is lost on the way back — the bank
   * books and pays them, finance never hears (vouchers stuck as sent). Status answers still arrive.
   */
  loseAnswersFor(code: string, voucherNos: readonly string[]): void;
  /** Ends the faults (every kind, every voucher) for the bank; returns how many answers they dropped. */
  stopLosingAnswers(code: string): number;
}

export function createBanks(
  site: SiteConfig,
  deps: { mq: BankQueues; books: BankLedger; now: () => Date; log?: Logger; payDelayMs?: number },
): Banks {
  // Armed losses by `<bank>/<msgType>` (or `<bank>/*` for any kind).
  const losses = new Map<string, { left: number; dropped: number }>();
  // Vouchers whose acks and receipts are lost, by bank, with the count dropped.
  const lostRefs = new Map<string, { refs: Set<string>; dropped: number }>();
  const lostRef = (code: string, body: string) => {
    const lost = lostRefs.get(code);
    if (!lost) return false;
    const msg = JSON.parse(body) as {
      head?: { msgType?: string };
      body?: { refNo?: string; voucherNo?: string };
    };
    const ref = msg.body?.refNo ?? msg.body?.voucherNo ?? '';
    if (!['voucher_ack', 'receipt'].includes(msg.head?.msgType ?? '') || !lost.refs.has(ref)) return false;
    lost.dropped += 1;
    deps.log?.warn({ bank: code, msgType: msg.head?.msgType, voucherNo: ref }, 'fault: bank answer lost');
    return true;
  };
  // Answers leave through this wrapper, so a lost answer is one the bank has booked and sent.
  const answersOf = (code: string): BankQueues => ({
    get: (qmgr, queue) => deps.mq.get(qmgr, queue),
    put(qmgr, queue, body) {
      if (lostRef(code, body)) return undefined;
      if (losses.size > 0) {
        const msgType = (JSON.parse(body) as { head?: { msgType?: string } }).head?.msgType;
        const loss = [losses.get(`${code}/${msgType}`), losses.get(`${code}/*`)].find((l) => l && l.left > 0);
        if (loss) {
          loss.left -= 1;
          loss.dropped += 1;
          deps.log?.warn({ bank: code, msgType }, 'fault: bank answer lost');
          return undefined;
        }
      }
      return deps.mq.put(qmgr, queue, body);
    },
  });
  const open = (b: BankConfig) =>
    createAgentBank(b, {
      mq: answersOf(b.code),
      ledger: deps.books,
      now: deps.now,
      timeZone: site.site.timezone,
      log: deps.log,
      payDelayMs: deps.payDelayMs,
    });
  const banks = new Map<string, AgentBank>(site.banks.map((b) => [b.code, open(b)]));
  const bank = (code: string) => {
    const b = banks.get(code);
    if (!b) throw new RangeError(`unknown bank ${code}`);
    return b;
  };
  return {
    get codes() {
      return [...banks.keys()];
    },
    bank,
    ledger: (code) => (bank(code), ledgerView(deps.books, code)),
    books: deps.books,
    add(config) {
      if (banks.has(config.code)) throw new RangeError(`bank ${config.code} is already running`);
      banks.set(config.code, open(config));
    },
    loseAnswers(code, options = {}) {
      bank(code);
      losses.set(`${code}/${options.msgType ?? '*'}`, { left: options.count ?? 1, dropped: 0 });
    },
    loseAnswersFor(code, voucherNos) {
      bank(code);
      const lost = lostRefs.get(code) ?? { refs: new Set<string>(), dropped: 0 };
      for (const v of voucherNos) lost.refs.add(v);
      lostRefs.set(code, lost);
    },
    stopLosingAnswers(code) {
      let dropped = lostRefs.get(code)?.dropped ?? 0;
      lostRefs.delete(code);
      for (const [key, loss] of losses)
        if (key.startsWith(`${code}/`)) {
          dropped += loss.dropped;
          losses.delete(key);
        }
      return dropped;
    },
    step() {
      for (const b of banks.values()) {
        try {
          b.step();
        } catch (err) {
          deps.log?.error({ bank: b.code, err }, 'bank step failed');
        }
      }
    },
  };
}
