/**
 * The sandbox CLI's commands (sandbox/cli.ts): each with its words, its arguments and the options it
 * takes, and the sandbox API request it makes. A command line is turned into its request here, or
 * refused naming what is wrong (an unknown command, a missing or extra argument, an option the
 * command does not take, a number that is not one) before anything is contacted.
 */
import { parseArgs } from 'node:util';

export const sandboxUsage = `Usage: tsx sandbox/cli.ts <command>

  fault inject <fault> --bank <B> [--count N] [--delta N] [--date YYYY-MM-DD] [--received] [--held]
               [--command START|STOP|RESET|RESOLVE]
  fault clear [<fault>] [--bank <B>] [--lift]
                                           clear one fault, a bank's faults (--bank), or all;
                                           --lift ends a network fault without restarting the channel
  fault list
  scenario <name>                          healthy | bad-monday | year-end
  clock                                    show the business clock
  clock set <iso> [--frozen]
  clock advance <minutes>
  clock reset
  state                                    channels, queues, programs, faults per bank
  bank add <CODE> --name <name> --port <front-end port> [--host <host>] [--no-program]
                                           a new bank brings its own side online (its queue
                                           manager, front end, books) and the sandbox starts its
                                           send/receive program; then run add-agent-bank
  bank hours <CODE> --date YYYY-MM-DD --open HH:MM --close HH:MM
                                           the bank agrees to extended hours (延时服务) that day;
                                           record them for the engine in the site's calendar.dir
  program start|stop|restart <BANK>        a bank's send/receive program (a site's start script)
  subsystem state                          application servers and estate faults
  subsystem start|stop <id>                start or stop an application server (a site's start script)
  subsystem fault inject <fault> [<id>] [--version V] [--reason R] [--count N] [--days N]
                 [--voucher-type T] [--bank B] [--lines N] [--stall-after N] [--bad-accounts N]
                 [--missing-bank-codes N] [--stuck N] [--mismatch over-contract|amount-differs]
                                           <id> may be left out when one subsystem fits
  subsystem fault clear [<fault> [<id>]]
  subsystem scenario <name>                estate-trouble | month-end
  exchange issue [--voucher-type 5201|8202] [--count N] [--date YYYY-MM-DD]
                                           the province issues vouchers to the county (下行)
  exchange item <year> <type> <no>         what the province's platform holds of one item
  payroll submit [--lines N] [--month YYYY-MM]
  card repayments [--bank B] [--count N] [--date YYYY-MM-DD]
  procurement pay [--contract C] [--count N] [--bank B]
  statements <CODE> --date YYYY-MM-DD [--lines N [--seed S] [--order key|payment] [--kind K]]
                                           the bank writes that day's statements into its exchange
                                           folder now; with --lines, a generated day of N lines
                                           (and its finance side in the treasury's history table)
  statement-replies <CODE>                 the replies finance sent the bank (XCheckResult, XDiffNum)

Options: --url <sandbox url> (default from the site file), --check-args, --help
Faults: channel-network-down, channel-stopped, sequence-mismatch, channel-in-doubt,
        send-program-dead, daily-report-missing, dead-letters, base-data-out-of-sync,
        malformed-voucher, receipt-unregistered, void-unconfirmed, refund-unmatched,
        serial-mismatch (--delta: how far the bank's serial is ahead),
        statement-only-at-finance, statement-only-at-bank, statement-amount-differs,
        statement-status-differs, statement-duplicate-line (--count lines, --date the day),
        statement-package-missing [--held], statement-truncated, statement-totals-wrong,
        statement-encoding-broken;
        channel-in-doubt --received: the bank committed the in-doubt batch;
        channel-command-refused --command START: finance's queue manager refuses that command on
        the bank's sender (AMQ8135E, the MQ administrator's authority taken away);
        year-end: quota-notice-refused, quota-notice-silent, quota-totals-differ,
        voucher-unpaid-at-close (--count)
Estate faults: subsystem-down, subsystem-unhealthy, subsystem-version-mismatch, subsystem-db-unreachable,
        release-package-corrupt, release-package-other-version, release-migration-fails,
        release-will-not-start, release-bank-link-broken (--bank), release-host-disk-short,
        migration-target-disk-short, migration-target-port-taken, migration-copy-corrupt,
        exchange-client-dead, exchange-client-hung, exchange-uplink-backlog,
        exchange-downlink-base-data, exchange-bad-signature, exchange-certificate-expiring,
        procurement-push-failing, procurement-contract-mismatch, payroll-batch-stalled,
        payroll-line-failures, official-card-stuck`;

export class SandboxUsageError extends Error {}

const options = {
  bank: { type: 'string' },
  count: { type: 'string' },
  delta: { type: 'string' },
  date: { type: 'string' },
  frozen: { type: 'boolean' },
  lift: { type: 'boolean' },
  received: { type: 'boolean' },
  name: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  open: { type: 'string' },
  close: { type: 'string' },
  'no-program': { type: 'boolean' },
  version: { type: 'string' },
  reason: { type: 'string' },
  lines: { type: 'string' },
  seed: { type: 'string' },
  order: { type: 'string' },
  kind: { type: 'string' },
  held: { type: 'boolean' },
  days: { type: 'string' },
  'voucher-type': { type: 'string' },
  month: { type: 'string' },
  'stall-after': { type: 'string' },
  'bad-accounts': { type: 'string' },
  'missing-bank-codes': { type: 'string' },
  stuck: { type: 'string' },
  mismatch: { type: 'string' },
  contract: { type: 'string' },
  command: { type: 'string' },
  url: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
type Option = Exclude<keyof typeof options, 'url' | 'help'>;
type Values = Partial<Record<Option, string | boolean>>;

export interface SandboxRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: Record<string, unknown>;
}

interface Command {
  /** Required arguments, then optional ones (by name, for messages). */
  args: { required: string[]; optional?: string[] };
  options?: Option[];
  request(args: string[], values: Values): SandboxRequest;
}

const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);
const seg = (s: string | undefined) => encodeURIComponent(s ?? '');

const commands: Record<string, Command> = {
  'fault inject': {
    args: { required: ['fault'] },
    options: ['bank', 'count', 'delta', 'date', 'received', 'held', 'command'],
    request: ([fault], v) => ({
      method: 'POST',
      path: '/sandbox/faults',
      body: {
        fault,
        bank: v.bank,
        ...(v.count !== undefined && { count: integer('--count', v.count) }),
        ...(v.delta !== undefined && { delta: integer('--delta', v.delta) }),
        ...(v.date !== undefined && { date: v.date }),
        ...(v.received && { received: true }),
        ...(v.held && { held: true }),
        ...(v.command !== undefined && { command: v.command }),
      },
    }),
  },
  'fault clear': {
    args: { required: [], optional: ['fault'] },
    options: ['bank', 'lift'],
    request: ([fault], v) => ({
      method: 'DELETE',
      path: '/sandbox/faults',
      body: { ...(fault && { fault }), ...(v.bank && { bank: v.bank }), ...(v.lift && { lift: true }) },
    }),
  },
  'fault list': { args: { required: [] }, request: () => ({ method: 'GET', path: '/sandbox/faults' }) },
  scenario: {
    args: { required: ['name'] },
    request: ([name]) => ({ method: 'POST', path: `/sandbox/scenarios/${seg(name)}` }),
  },
  clock: { args: { required: [] }, request: () => ({ method: 'GET', path: '/sandbox/clock' }) },
  'clock set': {
    args: { required: ['iso'] },
    options: ['frozen'],
    request: ([at], v) => ({
      method: 'POST',
      path: '/sandbox/clock',
      body: { action: 'set', at, ...(v.frozen && { frozen: true }) },
    }),
  },
  'clock advance': {
    args: { required: ['minutes'] },
    request: ([minutes]) => ({
      method: 'POST',
      path: '/sandbox/clock',
      body: { action: 'advance', minutes: integer('<minutes>', minutes) },
    }),
  },
  'clock reset': {
    args: { required: [] },
    request: () => ({ method: 'POST', path: '/sandbox/clock', body: { action: 'reset' } }),
  },
  state: { args: { required: [] }, request: () => ({ method: 'GET', path: '/sandbox/state' }) },
  'bank add': {
    args: { required: ['CODE'] },
    options: ['name', 'port', 'host', 'no-program'],
    request: ([code], v) => ({
      method: 'POST',
      path: '/sandbox/banks',
      body: {
        code,
        name: v.name,
        frontEnd: { host: str(v.host) ?? '127.0.0.1', port: integer('--port', v.port) },
        startProgram: !v['no-program'],
      },
    }),
  },
  'bank hours': {
    args: { required: ['CODE'] },
    options: ['date', 'open', 'close'],
    request: ([code], v) => ({
      method: 'POST',
      path: `/sandbox/banks/${seg(code)}/extended-hours`,
      body: { date: v.date, open: v.open, close: v.close },
    }),
  },
  ...Object.fromEntries(
    (['start', 'stop', 'restart'] as const).map((action) => [
      `program ${action}`,
      {
        args: { required: ['BANK'] },
        request: ([bank]: string[]) => ({ method: 'POST', path: `/sandbox/programs/${seg(bank)}/${action}` }),
      },
    ]),
  ),
  'subsystem state': { args: { required: [] }, request: () => ({ method: 'GET', path: '/sandbox/estate' }) },
  'subsystem start': {
    args: { required: ['id'] },
    request: ([id]) => ({ method: 'POST', path: `/sandbox/estate/subsystems/${seg(id)}/start` }),
  },
  'subsystem stop': {
    args: { required: ['id'] },
    request: ([id]) => ({ method: 'POST', path: `/sandbox/estate/subsystems/${seg(id)}/stop` }),
  },
  'subsystem scenario': {
    args: { required: ['name'] },
    request: ([name]) => ({ method: 'POST', path: `/sandbox/estate/scenarios/${seg(name)}` }),
  },
  'subsystem fault inject': {
    args: { required: ['fault'], optional: ['id'] },
    options: [
      'version',
      'reason',
      'bank',
      'mismatch',
      'voucher-type',
      'count',
      'days',
      'lines',
      'stall-after',
      'bad-accounts',
      'missing-bank-codes',
      'stuck',
    ],
    request: ([fault, subsystem], v) => ({
      method: 'POST',
      path: '/sandbox/estate/faults',
      body: {
        fault,
        ...(subsystem !== undefined && { subsystem }),
        ...(v.version !== undefined && { version: v.version }),
        ...(v.reason !== undefined && { reason: v.reason }),
        ...(v.bank !== undefined && { bank: v.bank }),
        ...(v.mismatch !== undefined && { mismatch: v.mismatch }),
        ...(v['voucher-type'] !== undefined && { voucherType: v['voucher-type'] }),
        ...integers(v, {
          count: 'count',
          days: 'days',
          lines: 'lines',
          stallAfter: 'stall-after',
          badAccounts: 'bad-accounts',
          missingBankCodes: 'missing-bank-codes',
          stuck: 'stuck',
        }),
      },
    }),
  },
  'exchange issue': {
    args: { required: [] },
    options: ['voucher-type', 'count', 'date'],
    request: (_args, v) => ({
      method: 'POST',
      path: '/sandbox/estate/exchange/vouchers',
      body: {
        ...(v['voucher-type'] !== undefined && { voucherType: v['voucher-type'] }),
        ...(v.date !== undefined && { date: v.date }),
        ...integers(v, { count: 'count' }),
      },
    }),
  },
  'exchange item': {
    args: { required: ['year', 'type', 'no'] },
    request: (args) => ({ method: 'GET', path: `/sandbox/estate/exchange/items/${args.map(seg).join('/')}` }),
  },
  'payroll submit': {
    args: { required: [] },
    options: ['lines', 'month'],
    request: (_args, v) => ({
      method: 'POST',
      path: '/sandbox/estate/payroll/batches',
      body: { ...(v.month !== undefined && { month: v.month }), ...integers(v, { lines: 'lines' }) },
    }),
  },
  'card repayments': {
    args: { required: [] },
    options: ['bank', 'count', 'date'],
    request: (_args, v) => ({
      method: 'POST',
      path: '/sandbox/estate/official-card/repayments',
      body: {
        ...(v.bank !== undefined && { bank: v.bank }),
        ...(v.date !== undefined && { date: v.date }),
        ...integers(v, { count: 'count' }),
      },
    }),
  },
  'procurement pay': {
    args: { required: [] },
    options: ['contract', 'count', 'bank'],
    request: (_args, v) => ({
      method: 'POST',
      path: '/sandbox/estate/procurement/payments',
      body: {
        ...(v.contract !== undefined && { contractNo: v.contract }),
        ...(v.bank !== undefined && { bank: v.bank }),
        ...integers(v, { count: 'count' }),
      },
    }),
  },
  statements: {
    args: { required: ['CODE'] },
    options: ['date', 'lines', 'seed', 'order', 'kind'],
    request: ([code], v) => ({
      method: 'POST',
      path: `/sandbox/banks/${seg(code)}/statements`,
      body: {
        date: v.date,
        ...(v.lines !== undefined && { lines: integer('--lines', v.lines) }),
        ...(v.seed !== undefined && { seed: integer('--seed', v.seed) }),
        ...(v.order !== undefined && { order: v.order }),
        ...(v.kind !== undefined && { kind: v.kind }),
      },
    }),
  },
  'statement-replies': {
    args: { required: ['CODE'] },
    request: ([code]) => ({ method: 'GET', path: `/sandbox/banks/${seg(code)}/statement-replies` }),
  },
  'subsystem fault clear': {
    args: { required: [], optional: ['fault', 'id'] },
    request: ([fault, subsystem]) => ({
      method: 'DELETE',
      path: '/sandbox/estate/faults',
      body: { ...(fault && { fault }), ...(subsystem && { subsystem }) },
    }),
  },
};

function integer(name: string, value: string | boolean | undefined): number {
  if (typeof value !== 'string' || !/^-?\d+$/.test(value))
    throw new SandboxUsageError(
      `${name}: expected a whole number${typeof value === 'string' ? `, got "${value}"` : ''}`,
    );
  return Number(value);
}

/** The options given among `names` (body field → option), as whole numbers. */
function integers(values: Values, names: Record<string, Option>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(names).flatMap(([field, option]) =>
      values[option] === undefined ? [] : [[field, integer(`--${option}`, values[option])]],
    ),
  );
}

export type ParsedSandboxCommand =
  { help: true } | { help: false; command: string; url?: string; request: SandboxRequest };

/** The command line's request, or `help`; a SandboxUsageError says what is wrong. */
export function parseSandboxCommand(argv: string[]): ParsedSandboxCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options });
  } catch (err) {
    throw new SandboxUsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    if (values.help) return { help: true };
    throw new SandboxUsageError('give a command');
  }
  // The longest run of leading words that names a command: `subsystem fault inject` before `subsystem`.
  const words = [3, 2, 1]
    .map((n) => positionals.slice(0, n).join(' '))
    .find((w) => Object.hasOwn(commands, w));
  const command = words && commands[words];
  if (!words || !command) throw new SandboxUsageError(`unknown command: ${positionals.join(' ')}`);
  const args = positionals.slice(words.split(' ').length);
  const { required, optional = [] } = command.args;
  if (args.length < required.length)
    throw new SandboxUsageError(`${words}: missing <${required.slice(args.length).join('> <')}>`);
  if (args.length > required.length + optional.length)
    throw new SandboxUsageError(
      `${words}: unexpected argument(s) ${args.slice(required.length + optional.length).join(' ')}`,
    );
  const given = Object.keys(values).filter((k) => k !== 'url' && k !== 'help') as Option[];
  const foreign = given.filter((k) => !command.options?.includes(k));
  if (foreign.length > 0)
    throw new SandboxUsageError(`${words}: does not take ${foreign.map((k) => `--${k}`).join(', ')}`);
  return {
    help: false,
    command: words,
    ...(values.url && { url: values.url }),
    request: command.request(args, values),
  };
}
