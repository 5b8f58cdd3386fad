/**
 * What an activity does, declared where it is defined: it reads (the default: no mark), it writes
 * (changes production or money, or files something another system acts on, such as a question
 * for a bank), or it records (appends evidence: the audit trail, notifications, reports). The
 * mark is part of the activity's type, and workflows reach each kind only through the proxy of
 * its own retry profile (workflows/shared/retry-profiles.ts): the read proxy has no write on it,
 * so a write can never run under the read profile's retries.
 */

export const activityKind: unique symbol = Symbol('jincai.activityKind');

export type ActivityKind = 'read' | 'write' | 'record';

type Activity = (...args: never[]) => Promise<unknown>;

/** An activity that changes something: reached through the mutation profile only. */
export type Writes<F extends Activity> = F & { readonly [activityKind]: 'write' };
/** An activity that appends evidence: reached through the record profile only. */
export type Records<F extends Activity> = F & { readonly [activityKind]: 'record' };

function mark<F extends Activity>(fn: F, kind: 'write' | 'record'): F {
  Object.defineProperty(fn, activityKind, { value: kind, enumerable: false });
  return fn;
}

/** Marks `fn` as a write. */
export function writes<F extends Activity>(fn: F): Writes<F> {
  return mark(fn, 'write') as Writes<F>;
}

/** Marks `fn` as a record. */
export function records<F extends Activity>(fn: F): Records<F> {
  return mark(fn, 'record') as Records<F>;
}

/** The kind a registered activity was declared as. */
export function kindOf(activity: unknown): ActivityKind {
  const kind =
    typeof activity === 'function' ? (activity as { [activityKind]?: unknown })[activityKind] : undefined;
  return kind === 'write' || kind === 'record' ? kind : 'read';
}
