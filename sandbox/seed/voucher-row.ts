/** Builds treasury voucher rows the sandbox inserts: a voucher not yet sent has no later life-cycle fields. */
import type { VoucherTable } from '../../connectors/treasury/schema.ts';

type LifeCycle = 'sent_at' | 'accepted_at' | 'paid_at' | 'serial_no' | 'failure_code' | 'failure_reason';

export function unsentVoucher(fields: Omit<VoucherTable, LifeCycle>): VoucherTable {
  return {
    ...fields,
    sent_at: null,
    accepted_at: null,
    paid_at: null,
    serial_no: null,
    failure_code: null,
    failure_reason: null,
  };
}
