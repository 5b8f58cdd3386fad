/** Looks up configured objects for activities; an unknown name is a non-retryable input error. */
import { ApplicationFailure } from '@temporalio/common';
import type { BankConfig, SiteConfig } from '../temporal.config.ts';
import { ErrorKind } from '../workflows/shared/errors.ts';

export function requireBank(site: SiteConfig, code: string): BankConfig {
  const bank = site.banks.find((b) => b.code === code);
  if (!bank) {
    throw ApplicationFailure.create({
      type: ErrorKind.InvalidInput,
      nonRetryable: true,
      message: `bank: unknown bank code "${code}"; expected one of ${site.banks.map((b) => b.code).join(', ')}`,
    });
  }
  return bank;
}
