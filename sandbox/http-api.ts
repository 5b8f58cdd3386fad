/**
 * The sandbox's own JSON API under /sandbox/: health, state, the business clock, fault injection,
 * scenarios, a new agent bank's own side brought online (POST /sandbox/banks), a bank's
 * extended hours for a day (POST /sandbox/banks/{code}/extended-hours), a bank's statements for a
 * day, generated ones of any size (POST /sandbox/banks/{code}/statements) and the replies finance
 * sent it (GET /sandbox/banks/{code}/statement-replies). Protected by the same basic-auth credentials as mqweb.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { SandboxClock } from './clock.ts';
import { localDate, localTime } from './calendar.ts';
import type { FaultController } from './faults.ts';
import { FaultInputError, parseFaultInput } from './faults.ts';
import type { ScenarioName, ScenarioResult } from './scenarios.ts';
import { isScenario } from './scenarios.ts';
import { timeOfDay } from '../domain/calendar/dates.ts';
import { generatedDaySchema, type GeneratedDayInput } from './statements/generated-day.ts';

export interface SandboxApiDeps {
  credentials: { user: string; password: string };
  timeZone: string;
  clock: SandboxClock;
  faults: FaultController;
  scenario(name: ScenarioName): Promise<ScenarioResult>;
  state(): Promise<Record<string, unknown>>;
  health(): Record<string, unknown>;
  closeDay(bank: string, date?: string): string[];
  extendHours(bank: string, hours: { date: string; open: string; close: string }): void;
  /** Starts, stops or restarts a bank's send/receive program (a site's start and stop scripts call these). */
  controlProgram(bank: string, action: 'start' | 'stop' | 'restart'): Promise<number | undefined>;
  /** The bank writes a day's statements now (or a generated one of any size), and what finance replied. */
  statements: {
    write(bank: string, date: string): Promise<string[]>;
    generate(bank: string, input: GeneratedDayInput): Promise<unknown>;
    replies(bank: string): unknown[];
  };
  /** A new agent bank's own side comes online (sandbox/bank/onboard.ts). */
  addBank(input: unknown): Promise<unknown>;
  /** The estate beyond the bank links: `/sandbox/estate/…` (sandbox/estate/estate.ts). */
  estate?(method: string, path: string, body: unknown): Promise<{ status: number; body: unknown }>;
}

const clockSchema = z.discriminatedUnion('action', [
  z
    .object({
      action: z.literal('set'),
      at: z.iso.datetime({ offset: true }),
      frozen: z.boolean().optional(),
    })
    .strict(),
  z.object({ action: z.literal('advance'), minutes: z.number().finite() }).strict(),
  z.object({ action: z.literal('reset') }).strict(),
]);

const closeDaySchema = z.object({ date: z.iso.date().optional() }).strict();
const statementDaySchema = z.object({ date: z.iso.date() }).strict();
const extendedHoursSchema = z
  .object({ date: z.iso.date(), open: timeOfDay, close: timeOfDay })
  .strict()
  .refine((h) => h.open < h.close, { message: 'open must be before close', path: ['close'] });

export function createSandboxApi(
  deps: SandboxApiDeps,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const expected = Buffer.from(
    `Basic ${Buffer.from(`${deps.credentials.user}:${deps.credentials.password}`).toString('base64')}`,
  );
  const clockView = () => {
    const now = deps.clock.now();
    return {
      now: now.toISOString(),
      businessDate: localDate(now, deps.timeZone),
      localTime: localTime(now, deps.timeZone),
      state: deps.clock.state(),
    };
  };

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (!path.startsWith('/sandbox/') && path !== '/sandbox') return false;
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      send(res, 401, { error: 'authentication required' }, { 'WWW-Authenticate': 'Basic realm="sandbox"' });
      return true;
    }
    const method = req.method ?? 'GET';
    try {
      const route = `${method} ${path.replace(/\/$/, '')}`;
      let m: RegExpMatchArray | null;
      if (route === 'GET /sandbox/health') send(res, 200, deps.health());
      else if (route === 'GET /sandbox/state') send(res, 200, await deps.state());
      else if (route === 'GET /sandbox/clock') send(res, 200, clockView());
      else if (route === 'POST /sandbox/clock') {
        const body = parseFaultInput(clockSchema, await readJson(req));
        if (body.action === 'set') deps.clock.set(body.at, { frozen: body.frozen });
        else if (body.action === 'advance') deps.clock.advance(body.minutes);
        else deps.clock.reset();
        send(res, 200, clockView());
      } else if (route === 'GET /sandbox/faults') send(res, 200, { faults: deps.faults.active() });
      else if (route === 'POST /sandbox/faults')
        send(res, 201, await deps.faults.inject((await readJson(req)) as Record<string, unknown>));
      else if (route === 'DELETE /sandbox/faults') {
        const query = Object.fromEntries(url.searchParams);
        const body = await readJson(req);
        send(res, 200, { cleared: await deps.faults.clear({ ...query, ...(body as object) }) });
      } else if (method === 'POST' && (m = path.match(/^\/sandbox\/scenarios\/([^/]+)$/))) {
        const name = decodeURIComponent(m[1] ?? '');
        if (!isScenario(name)) send(res, 404, { error: `unknown scenario ${name}`, field: 'name' });
        else send(res, 200, await deps.scenario(name));
      } else if (route === 'POST /sandbox/banks') send(res, 201, await deps.addBank(await readJson(req)));
      else if (method === 'POST' && (m = path.match(/^\/sandbox\/banks\/([^/]+)\/close-day$/))) {
        const body = parseFaultInput(closeDaySchema, await readJson(req));
        send(res, 200, { sent: deps.closeDay(decodeURIComponent(m[1] ?? ''), body.date) });
      } else if (method === 'POST' && (m = path.match(/^\/sandbox\/banks\/([^/]+)\/extended-hours$/))) {
        const body = parseFaultInput(extendedHoursSchema, await readJson(req));
        deps.extendHours(decodeURIComponent(m[1] ?? ''), body);
        send(res, 200, { bank: decodeURIComponent(m[1] ?? ''), ...body });
      } else if (method === 'POST' && (m = path.match(/^\/sandbox\/banks\/([^/]+)\/statements$/))) {
        const code = decodeURIComponent(m[1] ?? '');
        const body = (await readJson(req)) as Record<string, unknown>;
        if (body.lines === undefined) {
          const { date } = parseFaultInput(statementDaySchema, body);
          send(res, 200, { files: await deps.statements.write(code, date) });
        } else
          send(res, 200, await deps.statements.generate(code, parseFaultInput(generatedDaySchema, body)));
      } else if (method === 'GET' && (m = path.match(/^\/sandbox\/banks\/([^/]+)\/statement-replies$/))) {
        send(res, 200, { replies: deps.statements.replies(decodeURIComponent(m[1] ?? '')) });
      } else if (
        method === 'POST' &&
        (m = path.match(/^\/sandbox\/programs\/([^/]+)\/(start|stop|restart)$/))
      ) {
        const action = m[2] as 'start' | 'stop' | 'restart';
        send(res, 200, {
          [action === 'stop' ? 'stopped' : 'pid']:
            (await deps.controlProgram(decodeURIComponent(m[1] ?? ''), action)) ?? null,
        });
      } else if (deps.estate && (path === '/sandbox/estate' || path.startsWith('/sandbox/estate/'))) {
        const answer = await deps.estate(method, path, method === 'GET' ? {} : await readJson(req));
        send(res, answer.status, answer.body);
      } else send(res, 404, { error: `no such sandbox resource: ${method} ${path}` });
    } catch (err) {
      if (err instanceof FaultInputError) send(res, 400, { error: err.message, field: err.field });
      else if (err instanceof RangeError) send(res, 400, { error: err.message, field: 'bank' });
      else if (err instanceof SyntaxError)
        send(res, 400, { error: `body is not JSON: ${err.message}`, field: '(body)' });
      else send(res, 500, { error: String(err) });
    }
    return true;
  };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1024 * 1024) throw new FaultInputError('(body)', 'body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text ? JSON.parse(text) : {};
}
