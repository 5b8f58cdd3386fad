/**
 * Waiting on a run's history instead of asking the run again and again: a long poll
 * (`waitNewEvent`) that Temporal answers as soon as the history has grown, or empty after its
 * long-poll interval. What a run's queries answer changes only in a workflow task, and each one the
 * run completes adds events, so a query asked again only once the history grew misses nothing — and
 * while the run waits (on a timer, at a gate, on a slow activity) the test, the server and the run's
 * worker do nothing, where a query every 200 ms kept all three busy.
 */
import { isGrpcDeadlineError, type Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The longest a read waits for a new event; the dev server itself ends a long poll after 20 s. */
const longPollMs = 10_000;
/**
 * The dev server answers a watch's first read at once with the events so far. Temporal's
 * time-skipping test server waits for a new event instead, which may not come; a client whose
 * server left the first read unanswered this long is watched by reading the whole history again
 * after a short pause (what the tests did before this watch).
 */
const firstReadMs = 3_000;
const firstReadWaits = new WeakSet<Client>();
/** After a failed read (the server restarting, the run not started yet) or once the run has closed. */
const retryMs = 200;

export class HistoryWatch {
  /** Every event read so far, oldest first. */
  readonly events: HistoryEvent[] = [];
  private token: Uint8Array | undefined;
  private closed = false;

  /**
   * `events`: the caller reads `events` (on a server whose first read waits, they are then read
   * again after each pause; other callers only wait).
   */
  constructor(
    private readonly client: Client,
    private readonly workflowId: string,
    private readonly options: { events?: boolean } = {},
  ) {}

  /**
   * Resolves once the history holds events this watch has not seen (at once on the first call, when
   * it has any), or when the server's long poll ends with none. After a failed read, once the run
   * has closed, or when `answered` is false — the query before went unanswered (no worker yet, the
   * run not started), and its answer may come without a new event — after a short pause instead.
   */
  async next(answered = true): Promise<void> {
    if (this.closed || !answered) return pause();
    if (firstReadWaits.has(this.client)) return this.pauseAndReread();
    const first = !this.token;
    try {
      const res = await this.client.connection.withDeadline(
        Date.now() + (first ? firstReadMs : longPollMs),
        () =>
          this.client.workflowService.getWorkflowExecutionHistory({
            namespace: this.client.options.namespace,
            execution: { workflowId: this.workflowId },
            waitNewEvent: true,
            skipArchival: true,
            ...(this.token && { nextPageToken: this.token }),
          }),
      );
      this.events.push(...(res.history?.events ?? []));
      // No token after the last event: the run has closed, nothing more will come.
      if (res.nextPageToken?.length) this.token = res.nextPageToken;
      else this.closed = true;
    } catch (err) {
      if (isGrpcDeadlineError(err)) {
        if (first) firstReadWaits.add(this.client);
        if (first) await this.reread();
        return;
      }
      // Read again from the start: a restarted server answers a fresh read whatever became of the token.
      this.token = undefined;
      this.events.length = 0;
      await pause();
    }
  }

  /** On a server whose first read waits: the whole history, read again after a pause. */
  private async pauseAndReread(): Promise<void> {
    await pause();
    await this.reread();
  }

  private async reread(): Promise<void> {
    if (!this.options.events) return;
    const history = await this.client.workflow
      .getHandle(this.workflowId)
      .fetchHistory()
      .catch(() => undefined);
    if (history) this.events.splice(0, this.events.length, ...(history.events ?? []));
  }
}

const pause = () => new Promise<void>((r) => setTimeout(r, retryMs));
