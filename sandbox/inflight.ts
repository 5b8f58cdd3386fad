/**
 * Messages in flight when the sandbox starts. The queue-manager model lives in memory, while the
 * treasury database and the banks' books persist; so at start the messages finance has recorded
 * as sent but the bank has not yet taken (serial above the bank's last accepted) are put back on
 * the bank's PAY.IN, as persistent messages survive a queue manager restart.
 */
import type { Kysely } from 'kysely';
import type { TreasuryDatabase } from '../connectors/treasury/schema.ts';
import type { SiteConfig } from '../temporal.config.ts';
import type { BankLedger } from './bank/ledger.ts';
import { buildMessage, FINANCE } from './messages.ts';
import type { MqEstate } from './mq/estate.ts';
import { noticeBody, voucherBody } from './programs/outbound.ts';

export async function restoreInFlight(
  site: SiteConfig,
  treasury: Kysely<TreasuryDatabase>,
  books: BankLedger,
  estate: MqEstate,
): Promise<number> {
  let restored = 0;
  for (const bank of site.banks) {
    const last = books.state(bank.code)?.last_serial_in ?? 0;
    const rows = await treasury
      .selectFrom('message_log')
      .select(['kind', 'serial_no', 'ref_no', 'msg_id', 'business_date', 'created_at'])
      .where('bank_code', '=', bank.code)
      .where('direction', '=', 'out')
      .where('kind', 'in', ['direct_payment', 'authorized_payment', 'quota_notice'])
      .where('serial_no', '>', last)
      .orderBy('serial_no')
      .execute();
    for (const row of rows) {
      if (!row.ref_no) continue;
      const body =
        row.kind === 'quota_notice'
          ? await noticeBody(treasury, row.ref_no)
          : await voucherBody(treasury, row.ref_no);
      if (!body) continue;
      const message = buildMessage(
        {
          msgType: row.kind,
          serialNo: row.serial_no,
          sender: FINANCE,
          receiver: bank.code,
          sendTime: row.created_at,
          businessDate: row.business_date,
          msgId: row.msg_id,
        },
        body,
      );
      estate.put(bank.qmgr, 'PAY.IN', JSON.stringify(message));
      restored++;
    }
  }
  return restored;
}
