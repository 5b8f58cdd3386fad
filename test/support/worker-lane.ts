/**
 * Kill -9 tests that run several cases at once against one sandbox and one Temporal: a lane is a
 * worker process (workers/main.ts) on task queues of its own, so a case's workflows and their
 * activities go only to its worker, and killing that worker touches no other case.
 *
 * The worker reaches Temporal through a relay of the lane's own, which can hold what the worker
 * sends for a while (`holdReports`). A kill then lands, for certain, after a side effect and
 * before Temporal hears that the step which made it has finished: the step runs again on the
 * next worker, which is the case a crash test is about. Without the hold that is a race the
 * worker usually wins (it reports within a millisecond or two of its commit).
 *
 * Also the readings such a test makes afterwards: the run's audit entries, and which activities
 * ran more than once.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { parse as parseYaml, stringify } from 'yaml';
import { openAuditDb } from '../../connectors/audit/database.ts';
import type { AuditKind } from '../../connectors/audit/record.ts';
import { siteVerifyOptions } from '../../connectors/audit/site-audit.ts';
import { verifyAuditTrail } from '../../connectors/audit/verify.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import type { TestEstate } from './estate.ts';
import { startWorkerProcess } from './worker-process.ts';
import { testWorkflowBundle } from './test-build.ts';
import { patienceMs } from './patience.ts';

export interface LaneOptions {
  /** Checked after every kill, before its `meanwhile`: what must hold whenever the worker dies. */
  afterKill?: () => void | Promise<void>;
  /** How long `killWhen` waits for what it watches, unless the call says otherwise (patienceMs). */
  killTimeoutMs?: number;
}

export class WorkerLane {
  readonly taskQueues: SiteConfig['temporal']['taskQueues'];
  /** What each kill landed on, in order. */
  readonly kills: string[] = [];
  private readonly file: string;
  private readonly raw: { temporal: Record<string, unknown> };
  private relay?: Relay;
  private child?: ChildProcess;

  constructor(
    private readonly estate: TestEstate,
    tag: string,
    private readonly options: LaneOptions = {},
  ) {
    this.raw = parseYaml(readFileSync(estate.file, 'utf8')) as { temporal: Record<string, unknown> };
    const suffix = randomUUID().slice(0, 6);
    this.taskQueues = {
      runbooks: `rb-${tag}-${suffix}`,
      comm: `comm-${tag}-${suffix}`,
      db: `db-${tag}-${suffix}`,
    };
    this.raw.temporal.taskQueues = this.taskQueues;
    this.file = join(estate.dir, `site-${tag}-${suffix}.yaml`);
  }

  async start(): Promise<void> {
    if (!this.relay) {
      this.relay = await Relay.start(this.estate.temporal.address);
      this.raw.temporal.address = this.relay.address;
      writeFileSync(this.file, stringify(this.raw));
    }
    // The run's prebuilt bundle, as a production worker loads its own: up in a second or two, not
    // bundling the workflows again after every kill.
    const bundle = await testWorkflowBundle('runbooks');
    this.child = await startWorkerProcess(
      { ...this.estate.env, JINCAI_SITE: this.file },
      { args: ['--workflow-bundle', bundle.codePath] },
    );
  }

  /**
   * Starts a workflow on this lane's runbooks queue; a shorter `workflowTaskTimeout` than Temporal's
   * 10 s hands a decision the killed worker took and never reported to the next one sooner.
   */
  startWorkflow(
    type: string,
    workflowId: string,
    input: unknown,
    options: { workflowTaskTimeout?: Duration } = {},
  ): Promise<WorkflowHandleWithFirstExecutionRunId> {
    return this.estate.client.workflow.start(type, {
      taskQueue: this.taskQueues.runbooks,
      workflowId,
      args: [input],
      ...options,
    });
  }

  /**
   * From now until the next kill, what the worker sends Temporal arrives `ms` late (and is lost
   * with it if the kill comes first).
   */
  holdReports(ms = 150): void {
    if (!this.relay) throw new Error('the lane has not started');
    this.relay.holdMs = ms;
  }

  /**
   * Kill -9 once `seen` holds (looked at every `pollMs`, default 10 ms: well inside the shortest
   * hold, while a check that asks Temporal or the database every millisecond would keep a core
   * busy for the whole wait), check the lane's `afterKill`, run `meanwhile`, start a new worker.
   */
  async killWhen(
    what: string,
    seen: () => boolean | Promise<boolean>,
    options: { timeoutMs?: number; pollMs?: number; meanwhile?: () => void | Promise<void> } = {},
  ): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? this.options.killTimeoutMs ?? patienceMs);
    while (!(await seen())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, options.pollMs ?? 10));
    }
    await this.kill();
    this.kills.push(what);
    await this.options.afterKill?.();
    await options.meanwhile?.();
    await this.start();
  }

  async kill(): Promise<void> {
    await this.end('SIGKILL');
  }

  /** Stops the worker (SIGTERM) and closes the relay. */
  async stop(): Promise<void> {
    await this.end('SIGTERM');
    await this.relay?.close();
    this.relay = undefined;
  }

  /** Teardown whatever state the lane is in: kill -9 the worker, close the relay. */
  async close(): Promise<void> {
    await this.end('SIGKILL');
    await this.relay?.close();
    this.relay = undefined;
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      // Killed: what it sent and the relay still holds dies with it, before any timer can pass it on.
      if (signal === 'SIGKILL') this.relay?.dropHeld();
      await exited;
    }
    this.relay?.dropHeld();
    if (this.relay) this.relay.holdMs = 0;
  }
}

/** A TCP relay to Temporal that delivers what its clients send `holdMs` late, in order. */
class Relay {
  holdMs = 0;
  private readonly links = new Set<{ drop(): void }>();

  private constructor(
    private readonly server: Server,
    readonly address: string,
  ) {}

  static async start(target: string): Promise<Relay> {
    const at = target.lastIndexOf(':');
    const [host, port] = [target.slice(0, at), Number(target.slice(at + 1))];
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port: own } = server.address() as { port: number };
    const relay = new Relay(server, `127.0.0.1:${own}`);
    server.on('connection', (client) => relay.link(client, host, port));
    return relay;
  }

  private link(client: Socket, host: string, port: number): void {
    const upstream = connect(port, host);
    const held: { due: number; data: Buffer }[] = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      const now = Date.now();
      while (held.length && held[0]!.due <= now) upstream.write(held.shift()!.data);
      if (held.length) timer = setTimeout(flush, held[0]!.due - now);
    };
    const link = {
      drop: () => {
        clearTimeout(timer);
        held.length = 0;
        client.destroy();
        upstream.destroy();
        this.links.delete(link);
      },
    };
    this.links.add(link);
    client.on('data', (data) => {
      held.push({ due: Date.now() + this.holdMs, data });
      if (!timer) flush();
    });
    upstream.on('data', (data) => client.write(data));
    for (const socket of [client, upstream]) {
      socket.on('error', link.drop);
      socket.on('close', link.drop);
    }
  }

  /** Drops every connection and what it held (its worker is dead). */
  dropHeld(): void {
    for (const link of [...this.links]) link.drop();
  }

  close(): Promise<void> {
    this.dropHeld();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Waits until `check` holds, polling every `everyMs`. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = patienceMs,
  everyMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A run's audit entries (kind and payload), oldest first, after checking the whole trail's hash chain. */
async function auditEntries(
  site: SiteConfig,
  workflowId: string,
): Promise<{ kind: string; payload: string }[]> {
  const db = await openAuditDb(site.audit);
  try {
    const verdict = await verifyAuditTrail(db, await siteVerifyOptions(site));
    if (!verdict.ok) throw new Error(`audit trail broken: ${JSON.stringify(verdict.problems)}`);
    return await db
      .selectFrom('audit_records')
      .select(['kind', 'payload'])
      .where('workflow_id', '=', workflowId)
      .orderBy('seq')
      .execute();
  } finally {
    await db.destroy();
  }
}

/** The payloads of a run's audit entries of one kind, oldest first. */
export async function auditPayloads<T = Record<string, unknown>>(
  site: SiteConfig,
  workflowId: string,
  kind: AuditKind = 'mutation',
): Promise<T[]> {
  return (await auditEntries(site, workflowId))
    .filter((e) => e.kind === kind)
    .map((e) => JSON.parse(e.payload) as T);
}

/** The kinds of a run's audit entries, oldest first. */
export async function auditKinds(site: SiteConfig, workflowId: string): Promise<string[]> {
  return (await auditEntries(site, workflowId)).map((e) => e.kind);
}

/**
 * From the run's history: how often each activity type was scheduled, and those that took more
 * than one attempt (the kill landed while they ran, or before their report reached Temporal).
 */
export async function activityRuns(
  client: Client,
  workflowId: string,
): Promise<{ scheduled: Map<string, number>; retried: string[] }> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<string, number>();
  const typeOf = new Map<string, string>();
  const retried: string[] = [];
  for (const e of history.events ?? []) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s?.activityType?.name) {
      scheduled.set(s.activityType.name, (scheduled.get(s.activityType.name) ?? 0) + 1);
      typeOf.set(String(e.eventId), s.activityType.name);
    }
    const started = e.activityTaskStartedEventAttributes;
    if (started && (started.attempt ?? 1) > 1) {
      retried.push(typeOf.get(String(started.scheduledEventId)) ?? '?');
    }
  }
  return { scheduled, retried };
}

/**
 * The readings after a kill that landed between a step's side effect and its report: `ranAgain`
 * took a second attempt, each of `once` was scheduled once, and the run's mutations were audited
 * once each, their actions exactly `audited`. Returns the activities that ran again.
 */
export async function assertRanAgainOnce(
  estate: Pick<TestEstate, 'client' | 'site'>,
  workflowId: string,
  expected: { ranAgain: string; once: string[]; audited: string[] },
): Promise<string[]> {
  const runs = await activityRuns(estate.client, workflowId);
  for (const name of expected.once) assert.equal(runs.scheduled.get(name), 1, name);
  assert.ok(runs.retried.includes(expected.ranAgain), `the killed ${expected.ranAgain} ran again`);
  const audited = await auditPayloads<{ action: string }>(estate.site, workflowId);
  assert.deepEqual(
    audited.map((m) => m.action),
    expected.audited,
    'each mutation audited once',
  );
  return runs.retried;
}
