/**
 * Command line for a running sandbox: inject and clear faults, run scenarios, move the business
 * clock, show the state, bring a bank online or extend its hours. Talks to the sandbox over HTTP with
 * the mqweb credentials from the environment variables the site file names, or else those the stack
 * generated (embedded-secrets.ts).
 */
import { parseArgs } from 'node:util';
import { useEmbeddedSecrets } from '../scripts/lib/embedded-secrets.ts';
import { loadSite, secretFromEnv } from '../temporal.config.ts';

const usage = `Usage: tsx sandbox/cli.ts <command>

  fault inject <fault> --bank <B> [--count N] [--delta N] [--date YYYY-MM-DD] [--received]
  fault clear [<fault> --bank <B>] [--lift]
                                           clear one fault, a bank's faults (--bank), or all;
                                           --lift ends a network fault without restarting the channel
  fault list
  scenario <name>                          healthy | bad-monday
  clock                                    show the business clock
  clock set <iso> [--frozen]
  clock advance <minutes>
  clock reset
  state                                    channels, queues, programs, faults per bank
  bank add <CODE> --name <name> --port <front-end port> [--host <host>] [--no-program]
                                           a new bank brings its own side online (its queue
                                           manager, front end, books) and the sandbox starts its
                                           send/receive program; then run add-agent-bank
  subsystem state                          application servers and estate faults
  subsystem start|stop <id>                start or stop an application server (a site's start script)
  subsystem fault inject <fault> <id> [--version V] [--reason R]
  subsystem fault clear [<fault> <id>]
  subsystem scenario <name>                estate-trouble
  bank hours <CODE> --date YYYY-MM-DD --open HH:MM --close HH:MM
                                           the bank agrees to extended hours (延时服务) that day;
                                           record them for the engine in the site's calendar.dir

  statements <CODE> --date YYYY-MM-DD [--lines N [--seed S] [--order key|payment] [--kind K]]
                                           the bank writes that day's statements into its exchange
                                           folder now; with --lines, a generated day of N lines
                                           (and its finance side in the treasury's history table)
  statement-replies <CODE>                 the replies finance sent the bank (XCheckResult, XDiffNum)

Options: --url <sandbox url> (default from the site file), --help
Faults: channel-network-down, channel-stopped, sequence-mismatch, channel-in-doubt,
        send-program-dead, daily-report-missing, dead-letters, base-data-out-of-sync,
        malformed-voucher, receipt-unregistered, void-unconfirmed, refund-unmatched,
        serial-mismatch (--delta: how far the bank's serial is ahead),
        statement-only-at-finance, statement-only-at-bank, statement-amount-differs,
        statement-status-differs, statement-duplicate-line (--count lines, --date the day),
        statement-package-missing [--held], statement-truncated, statement-totals-wrong,
        statement-encoding-broken;
        channel-in-doubt --received: the bank committed the in-doubt batch
Estate faults: subsystem-down, subsystem-unhealthy, subsystem-version-mismatch, subsystem-db-unreachable`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      bank: { type: 'string' },
      count: { type: 'string' },
      delta: { type: 'string' },
      date: { type: 'string' },
      frozen: { type: 'boolean' },
      lift: { type: 'boolean' },
      received: { type: 'boolean' },
      url: { type: 'string' },
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
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, sub, arg, target] = positionals;
  if (values.help || !command) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  const site = loadSite();
  useEmbeddedSecrets(site);
  const base = values.url ?? `http://127.0.0.1:${site.sandbox?.port ?? 9080}`;
  const user = secretFromEnv(site.mq.mqweb?.userEnv ?? 'JINCAI_MQWEB_USER');
  const password = secretFromEnv(site.mq.mqweb?.passwordEnv ?? 'JINCAI_MQWEB_PASSWORD');
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    console.log(text.startsWith('{') ? JSON.stringify(JSON.parse(text), null, 2) : text);
    return res.ok ? 0 : 1;
  };
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));

  switch (`${command} ${sub ?? ''}`.trim()) {
    case 'fault inject':
      return call('POST', '/sandbox/faults', {
        fault: arg,
        bank: values.bank,
        ...(values.count && { count: num(values.count) }),
        ...(values.delta && { delta: num(values.delta) }),
        ...(values.date && { date: values.date }),
        ...(values.received && { received: true }),
        ...(values.held && { held: true }),
      });
    case 'fault clear':
      return call('DELETE', '/sandbox/faults', {
        ...(arg && { fault: arg }),
        ...(values.bank && { bank: values.bank }),
        ...(values.lift && { lift: true }),
      });
    case 'fault list':
      return call('GET', '/sandbox/faults');
    case 'state':
      return call('GET', '/sandbox/state');
    case 'clock':
      return call('GET', '/sandbox/clock');
    case 'clock set':
      return call('POST', '/sandbox/clock', {
        action: 'set',
        at: arg,
        ...(values.frozen && { frozen: true }),
      });
    case 'clock advance':
      return call('POST', '/sandbox/clock', { action: 'advance', minutes: num(arg) });
    case 'clock reset':
      return call('POST', '/sandbox/clock', { action: 'reset' });
    case 'bank add':
      return call('POST', '/sandbox/banks', {
        code: arg,
        name: values.name,
        frontEnd: { host: values.host ?? '127.0.0.1', port: num(values.port) },
        startProgram: !values['no-program'],
      });
    case 'bank hours':
      return call('POST', `/sandbox/banks/${encodeURIComponent(arg ?? '')}/extended-hours`, {
        date: values.date,
        open: values.open,
        close: values.close,
      });
    case 'subsystem state':
      return call('GET', '/sandbox/estate');
    case 'subsystem start':
    case 'subsystem stop':
      return call('POST', `/sandbox/estate/subsystems/${encodeURIComponent(arg ?? '')}/${sub}`);
    case 'subsystem scenario':
      return call('POST', `/sandbox/estate/scenarios/${encodeURIComponent(arg ?? '')}`);
    case 'subsystem fault':
      if (arg === 'inject')
        return call('POST', '/sandbox/estate/faults', {
          fault: target,
          subsystem: positionals[4],
          ...(values.version && { version: values.version }),
          ...(values.reason && { reason: values.reason }),
        });
      return call('DELETE', '/sandbox/estate/faults', {
        ...(target && { fault: target }),
        ...(positionals[4] && { subsystem: positionals[4] }),
      });
    default:
      if (command === 'scenario' && sub) return call('POST', `/sandbox/scenarios/${encodeURIComponent(sub)}`);
      if (command === 'statements' && sub)
        return call('POST', `/sandbox/banks/${encodeURIComponent(sub)}/statements`, {
          date: values.date,
          ...(values.lines && { lines: num(values.lines) }),
          ...(values.seed && { seed: num(values.seed) }),
          ...(values.order && { order: values.order }),
          ...(values.kind && { kind: values.kind }),
        });
      if (command === 'statement-replies' && sub)
        return call('GET', `/sandbox/banks/${encodeURIComponent(sub)}/statement-replies`);
      console.error(`unknown command: ${positionals.join(' ')}\n\n${usage}`);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
