/**
 * A process that checks many command lines with --check-args, each as a process of its own would:
 * for each request on stdin (a JSON line: the entry point's node arguments as entryPointArgs gives
 * them, the line's arguments, its environment), the entry point's module is evaluated afresh — a
 * new instance, by a query on its URL — with the line's argv and environment, while the modules it
 * imports stay loaded: those are what a process per line spends its second of CPU on. A call to
 * `process.exit` ends the line, not this process; what the line printed and its exit code go back
 * as one JSON line on stdout. Started by check-args-lines.ts, one request at a time.
 */
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

export interface CheckRequest {
  /** Node's arguments that run the entry point: `[file.js]` or `['--import', 'tsx', 'file.ts']`. */
  nodeArgs: string[];
  args: string[];
  env: Record<string, string>;
}

export interface CheckAnswer {
  code: number;
  stdout: string;
  stderr: string;
}

/** Thrown by the stand-in `process.exit`: the rest of the line's code must not run. */
class LineExited extends Error {}

/** How long a line may go on after its module has been evaluated before it counts as hanging. */
const endWithinMs = 30_000;

const realExit: (code?: number) => never = process.exit.bind(process);
const realStdoutWrite = process.stdout.write.bind(process.stdout);
const realStderrWrite = process.stderr.write.bind(process.stderr);
const answerOut = (answer: CheckAnswer) => realStdoutWrite(`${JSON.stringify(answer)}\n`);

let line: { stdout: string; stderr: string; end(code: number): void } | undefined;

/** A stream's write for the line in progress: kept, its callback called as a flushed write's is. */
function capture(into: 'stdout' | 'stderr') {
  return (chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean => {
    const done = [encoding, callback].find((f): f is () => void => typeof f === 'function');
    if (line) line[into] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (done) setImmediate(done);
    return true;
  };
}

/** An error the line did not catch: a process of its own would print it and exit 1. */
function uncaught(err: unknown): void {
  if (err instanceof LineExited) return;
  if (!line) {
    realStderrWrite(`check-args host: ${String((err as Error)?.stack ?? err)}\n`);
    realExit(1);
  }
  line.stderr += `${String((err as Error)?.stack ?? err)}\n`;
  line.end(1);
}
process.on('uncaughtException', uncaught);
process.on('unhandledRejection', uncaught);

let evaluated = 0;

/** What keeps the event loop alive now (unreferenced timers do not), by kind. */
function keepingAlive(): Map<string, number> {
  const kinds = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  return kinds;
}

function keepsAliveBeyond(idle: Map<string, number>): boolean {
  return [...keepingAlive()].some(([kind, n]) => n > (idle.get(kind) ?? 0));
}

async function check(request: CheckRequest): Promise<CheckAnswer> {
  const entry = request.nodeArgs.at(-1) ?? '';
  const argv = process.argv;
  const before = Object.keys(request.env).map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, request.env);
  process.argv = [process.execPath, entry, ...request.args];
  process.exitCode = undefined;
  const answer = new Promise<CheckAnswer>((resolve) => {
    const current = {
      stdout: '',
      stderr: '',
      end: (code: number) => {
        if (line !== current) return;
        line = undefined;
        resolve({ code, stdout: current.stdout, stderr: current.stderr });
      },
    };
    line = current;
  });
  const ending = line;
  process.exit = ((code?: number | string | null) => {
    ending?.end(Number(code ?? process.exitCode ?? 0));
    throw new LineExited();
  }) as typeof process.exit;
  const idle = keepingAlive();
  try {
    await import(`${pathToFileURL(entry).href}?line=${++evaluated}`);
    // Evaluated without exiting: the line ends when it exits (`main().then(exit)`), or when nothing
    // of its own keeps the event loop alive any longer, as its own process would.
    const deadline = Date.now() + endWithinMs;
    while (ending && line === ending) {
      // A macrotask later: every microtask the line queued has run.
      await new Promise((r) => setTimeout(r, 5).unref());
      if (line !== ending) break;
      if (!keepsAliveBeyond(idle)) ending.end(Number(process.exitCode ?? 0));
      else if (Date.now() > deadline) {
        ending.stderr += `check-args host: the line did not end within ${endWithinMs} ms\n`;
        ending.end(1);
      }
    }
  } catch (err) {
    uncaught(err);
  }
  try {
    return await answer;
  } finally {
    process.exit = realExit;
    process.argv = argv;
    for (const [name, value] of before)
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    process.exitCode = undefined;
  }
}

process.stdout.write = capture('stdout') as typeof process.stdout.write;
process.stderr.write = capture('stderr') as typeof process.stderr.write;
for await (const text of createInterface({ input: process.stdin })) {
  answerOut(await check(JSON.parse(text) as CheckRequest));
}
realExit(0);
