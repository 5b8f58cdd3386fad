/**
 * A TLS front for the test's Temporal server, as a site's frontend would present itself: it
 * terminates TLS with the given certificate (HTTP/2 by ALPN, for gRPC), asks for a client
 * certificate from the given CA when `requireClientCert`, and relays the bytes to the server —
 * over TLS again when the server itself speaks it (the cluster run).
 */
import { readFileSync } from 'node:fs';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { connect as tlsConnect, createServer, type Server } from 'node:tls';
import type { TestTemporal } from './temporal.ts';

export interface TlsFront {
  address: string;
  /** Handshakes the front refused (no or a wrong client certificate). */
  refused: number;
  close(): Promise<void>;
}

export async function startTlsFront(options: {
  upstream: TestTemporal;
  certFile: string;
  keyFile: string;
  clientCaFile: string;
  requireClientCert: boolean;
}): Promise<TlsFront> {
  const sockets = new Set<Socket>();
  const front = {
    address: '',
    refused: 0,
    close: () => closeServer(server, sockets),
  };
  const server: Server = createServer(
    {
      cert: readFileSync(options.certFile),
      key: readFileSync(options.keyFile),
      ca: readFileSync(options.clientCaFile),
      requestCert: options.requireClientCert,
      rejectUnauthorized: options.requireClientCert,
      ALPNProtocols: ['h2'],
    },
    (client) => {
      const upstream = connectUpstream(options.upstream);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.once('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    },
  );
  server.on('tlsClientError', () => {
    front.refused += 1;
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  front.address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return front;
}

function connectUpstream(temporal: TestTemporal): Socket {
  const [host = '127.0.0.1', port] = splitAddress(temporal.address);
  const tls = temporal.tls;
  if (!tls) return netConnect(port, host);
  return tlsConnect({
    host,
    port,
    ALPNProtocols: ['h2'],
    ...(tls.serverNameOverride && { servername: tls.serverNameOverride }),
    ...(tls.caFile && { ca: readFileSync(tls.caFile) }),
    ...(tls.clientCertFile && { cert: readFileSync(tls.clientCertFile) }),
    ...(tls.clientKeyFile && { key: readFileSync(tls.clientKeyFile) }),
  });
}

function splitAddress(address: string): [string | undefined, number] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at).replace(/^\[|\]$/g, '') || undefined, Number(address.slice(at + 1))];
}

async function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  await new Promise<void>((done) => server.close(() => done()));
}
