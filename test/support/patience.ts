/**
 * How long a test waits for what should come within seconds — a gate to open, a worker to reach
 * its kill point, a voucher through the sandbox — before it calls that a failure. Long on purpose:
 * the suite runs on a two-core machine shared with other work, where seconds can turn into
 * minutes; a wait that is answered ends at once, so only a real failure pays for the length.
 */
export const patienceMs = 300_000;
