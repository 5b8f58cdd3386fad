/**
 * All agent banks of the site, running inside the sandbox process over one shared books file.
 * The server calls `step()` on its tick; tests ask `ledger(code)` what a bank has booked and paid.
 */
import type { Logger } from 'pino';
import type { SiteConfig } from '../../temporal.config.ts';
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
}

export function createBanks(
  site: SiteConfig,
  deps: { mq: BankQueues; books: BankLedger; now: () => Date; log?: Logger; payDelayMs?: number },
): Banks {
  const banks = new Map<string, AgentBank>(
    site.banks.map((b) => [
      b.code,
      createAgentBank(b, {
        mq: deps.mq,
        ledger: deps.books,
        now: deps.now,
        timeZone: site.site.timezone,
        log: deps.log,
        payDelayMs: deps.payDelayMs,
      }),
    ]),
  );
  const bank = (code: string) => {
    const b = banks.get(code);
    if (!b) throw new RangeError(`unknown bank ${code}`);
    return b;
  };
  return {
    codes: [...banks.keys()],
    bank,
    ledger: (code) => (bank(code), ledgerView(deps.books, code)),
    books: deps.books,
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
