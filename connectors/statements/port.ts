/**
 * The statement exchange with an agent bank: what statements have arrived (and which packages
 * are missing), asking the bank to send a statement or missing packages again, and sending it the
 * finance side's reply. One adapter today: the front-end processor's exchange folder.
 */
import type { StatementKind } from '../../domain/reconciliation/statement.ts';

export interface ArrivedStatement {
  /** Local paths: the text file, or the XML packages that arrived, in CurPackNo order. */
  files: string[];
  /** XML: packages of 1..ChildPackNum that have not arrived. */
  missingPackages: number[];
}

export interface StatementExchange {
  arrived(bank: string, kind: StatementKind, date: string): Promise<ArrivedStatement>;
  /**
   * Asks the bank for the statement again, or only for `packages`; returns the request's id. A
   * request sent again under the same `requestId` replaces the first (a retried activity asks once).
   */
  request(
    bank: string,
    kind: StatementKind,
    date: string,
    packages?: number[],
    requestId?: string,
  ): Promise<string>;
  /** Sends the finance side's reply (XML bytes); returns its file name. */
  reply(bank: string, kind: StatementKind, date: string, reply: Buffer): Promise<string>;
}
