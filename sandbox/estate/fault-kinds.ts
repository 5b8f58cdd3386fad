/**
 * How each estate fault is described to estate-faults.ts: the subsystems it can act on, its own
 * options (validated strictly, so an option of another fault is refused naming it), what injecting
 * it does (returning the details an engineer sees) and how clearing heals it.
 */
import { z } from 'zod';

export interface FaultKind<O extends Record<string, unknown> = Record<string, unknown>> {
  /** Ids of the site's subsystems this fault can act on in the running sandbox. */
  targets(): string[];
  options: z.ZodType<O>;
  inject(subsystem: string, options: O): Promise<Record<string, unknown>>;
  /** Heals what `inject` broke; `details` are the injection's (empty when it was not recorded). */
  heal(subsystem: string, details: Record<string, unknown>): Promise<void>;
}

export const noOptions = z.object({}).strict();

/** Declares a fault kind with its options' type inferred. */
export const faultKind = <O extends Record<string, unknown>>(kind: FaultKind<O>): FaultKind =>
  kind as unknown as FaultKind;
