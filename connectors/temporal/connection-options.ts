/**
 * How every process reaches the Temporal frontend: the site's address and, when the site has a
 * `temporal.tls` section, TLS with its CA, client certificate and server name. The same options
 * serve `Connection.connect` (clients) and `NativeConnection.connect` (workers).
 */
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { SiteConfig } from '../../temporal.config.ts';

export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig;
}

/** Reads the TLS files now (at process start, or when a test connects). */
export function temporalConnectionOptions(
  temporal: Pick<SiteConfig['temporal'], 'address' | 'tls'>,
): TemporalConnectionOptions {
  const { address, tls } = temporal;
  if (!tls) return { address };
  return {
    address,
    tls: {
      ...(tls.serverNameOverride && { serverNameOverride: tls.serverNameOverride }),
      ...(tls.caFile && { serverRootCACertificate: readFileSync(tls.caFile) }),
      ...(tls.clientCertFile &&
        tls.clientKeyFile && {
          clientCertPair: { crt: readFileSync(tls.clientCertFile), key: readFileSync(tls.clientKeyFile) },
        }),
    },
  };
}
