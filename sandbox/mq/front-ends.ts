/**
 * The banks' front-end processors as TCP endpoints: one listener per bank on its configured
 * host:port that accepts a connection and closes it (standing for the bank's MQ listener), closed
 * while the bank's network is down so TCP probes fail the way they would in production.
 */
import { createServer, type Server, type Socket } from 'node:net';

export class FrontEndListeners {
  private readonly servers = new Map<string, Server>();
  private readonly sockets = new Map<string, Set<Socket>>();
  private active = false;

  constructor(private readonly endpoints: Map<string, { host: string; port: number }>) {}

  get listening(): boolean {
    return this.active;
  }

  async openAll(isDown: (bank: string) => boolean): Promise<void> {
    this.active = true;
    await Promise.all([...this.endpoints.keys()].filter((b) => !isDown(b)).map((b) => this.open(b)));
  }

  async closeAll(): Promise<void> {
    this.active = false;
    await Promise.all([...this.servers.keys()].map((b) => this.close(b)));
  }

  /** Registers a bank added at run time; `open` then starts its listener. */
  add(bank: string, endpoint: { host: string; port: number }): void {
    if (this.endpoints.has(bank)) throw new Error(`bank ${bank} already has a front end`);
    this.endpoints.set(bank, endpoint);
  }

  /** Drops a bank whose listener could not open. */
  forget(bank: string): void {
    if (!this.servers.has(bank)) this.endpoints.delete(bank);
  }

  /** Opens one bank's listener; a no-op before `openAll` or when it is already open. */
  async open(bank: string): Promise<void> {
    const ep = this.endpoints.get(bank);
    if (!this.active || !ep || this.servers.has(bank)) return;
    const conns = new Set<Socket>();
    const server = createServer((socket) => {
      conns.add(socket);
      socket.on('close', () => conns.delete(socket));
      socket.on('error', () => conns.delete(socket));
      socket.end();
    });
    this.servers.set(bank, server);
    this.sockets.set(bank, conns);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => {
        this.servers.delete(bank);
        reject(
          new Error(`front end of bank ${bank} cannot listen on ${ep.host}:${ep.port}: ${err.message}`, {
            cause: err,
          }),
        );
      });
      server.listen(ep.port, ep.host, () => resolve());
    });
  }

  async close(bank: string): Promise<void> {
    const server = this.servers.get(bank);
    if (!server) return;
    this.servers.delete(bank);
    for (const s of this.sockets.get(bank) ?? []) s.destroy();
    this.sockets.delete(bank);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
