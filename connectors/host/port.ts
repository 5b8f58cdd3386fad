/**
 * The host port: what the engine can observe and do on the machines programs run on — whether a
 * declared program runs (by pid file or systemd unit) with its last log lines, starting and
 * stopping declared programs in their order, free disk space and file checksums under a host's
 * declared folders — and what it can see over the network: TCP endpoints and health URLs.
 * Adapters: the worker's own machine (`local-host.ts`) and SSH (`ssh-runner.ts`), behind one
 * router over the site's hosts (`site-hosts.ts`).
 */
import type { DiskFree, FileChecksum } from '../../domain/host-commands.ts';
import type { ProgramConfig } from '../../temporal.config.ts';

export type { DiskFree, FileChecksum };

export interface ProgramStatus {
  name: string;
  running: boolean;
  pid?: number;
  detail: string;
  /** The host it runs on (`local` for the worker's own machine). */
  host?: string;
  /** Its last log lines, oldest first, when asked for and the program has a log. */
  logTail?: string[];
}

export interface TcpProbe {
  host: string;
  port: number;
  reachable: boolean;
  latencyMs?: number;
  error?: string;
}

export interface HealthProbe {
  url: string;
  /** HTTP status; absent when nothing answered. */
  status?: number;
  /** 2xx within the timeout. */
  ok: boolean;
  latencyMs?: number;
  /** The JSON body when the answer was JSON (a health endpoint's version, database state…). */
  body?: unknown;
  error?: string;
}

export type ProgramAction = 'start' | 'stop' | 'restart';

export interface HostPort {
  programStatus(program: ProgramConfig, options?: { logLines?: number }): Promise<ProgramStatus>;
  /**
   * Starts, stops or restarts programs in order — starting each after those it names in `after`,
   * stopping in the reverse order; a restart stops them all, then starts them all — and waits for
   * each to reach its new state. Returns each program's status afterwards.
   */
  controlPrograms(programs: readonly ProgramConfig[], action: ProgramAction): Promise<ProgramStatus[]>;
  probeTcp(host: string, port: number, timeoutMs: number): Promise<TcpProbe>;
  probeHealth(url: string, timeoutMs: number): Promise<HealthProbe>;
  /** Free space of the file system holding `path`, a folder declared under the host's `paths`. */
  diskFree(host: string, path: string): Promise<DiskFree>;
  /** SHA-256 of files under the host's declared `paths`. */
  fileChecksums(host: string, paths: readonly string[]): Promise<FileChecksum[]>;
  /** Closes connections to remote hosts. */
  close(): Promise<void>;
}
