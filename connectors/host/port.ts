/**
 * The host port: what the comm-zone worker can observe on its own network segment — whether a
 * configured program is running (by pid file or systemd unit) and whether a TCP endpoint
 * accepts connections.
 */
import type { ProgramConfig } from '../../temporal.config.ts';

export interface ProgramStatus {
  name: string;
  running: boolean;
  pid?: number;
  detail: string;
}

export interface TcpProbe {
  host: string;
  port: number;
  reachable: boolean;
  latencyMs?: number;
  error?: string;
}

export interface HostPort {
  programStatus(program: ProgramConfig): Promise<ProgramStatus>;
  probeTcp(host: string, port: number, timeoutMs: number): Promise<TcpProbe>;
}
