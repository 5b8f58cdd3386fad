/**
 * The procurement cloud's push (政采云确认书推送) as the runbooks judge it: a confirmation left failed
 * either never reached the cloud (unavailable, a server error: pushing it again may succeed) or was
 * refused by the cloud's rules (an unknown contract, beyond the contract, a conflicting copy: pushing
 * it again cannot). Pure.
 */

/** The cloud's answers and the push job's own words for a confirmation that never reached it. */
const unreachedError = /^(SERVICE_UNAVAILABLE|HTTP 5\d\d|政采云不可达)/;

export function pushFailureKind(lastError: string | null): 'unreached' | 'refused' {
  return lastError === null || unreachedError.test(lastError) ? 'unreached' : 'refused';
}
