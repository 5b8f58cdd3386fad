/**
 * The local cluster's certificates, made once under data/cluster/tls/: a private CA, the
 * frontend's server certificate (named temporal-frontend, localhost and 127.0.0.1), a client
 * certificate for the server's own system workers and one for the engine (workers, inbox, CLI
 * and the tests), with the site's `temporal.tls` section that uses it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TemporalTlsConfig } from '../../../temporal.config.ts';
import { createPrivateCa, issueCertificate, type KeyPairFiles } from './certificates.ts';
import { clusterPaths } from './layout.ts';

export interface ClusterTls {
  serverName: string;
  ca: KeyPairFiles;
  frontend: KeyPairFiles;
  systemWorker: KeyPairFiles;
  engine: KeyPairFiles;
  /** The `temporal.tls` section of a site that connects to the cluster. */
  site: TemporalTlsConfig;
}

const serverName = 'temporal-frontend';

export function ensureClusterTls(say: (line: string) => void): ClusterTls {
  const dir = clusterPaths.tlsDir;
  const exists = (name: string) =>
    existsSync(join(dir, `${name}.pem`)) && existsSync(join(dir, `${name}.key`));
  const ca = exists('ca')
    ? { certFile: join(dir, 'ca.pem'), keyFile: join(dir, 'ca.key') }
    : createPrivateCa(dir, 'jincai-runbooks local cluster CA');
  const leaf = (name: string, make: () => KeyPairFiles) =>
    exists(name) ? { certFile: join(dir, `${name}.pem`), keyFile: join(dir, `${name}.key`) } : make();
  const signer = { dir, ...ca };
  if (!exists('frontend')) say(`Private CA and certificates in ${dir}`);
  const frontend = leaf('frontend', () =>
    issueCertificate(signer, {
      name: 'frontend',
      commonName: serverName,
      usage: 'server',
      dnsNames: [serverName, 'localhost'],
      ips: ['127.0.0.1'],
    }),
  );
  const systemWorker = leaf('system-worker', () =>
    issueCertificate(signer, {
      name: 'system-worker',
      commonName: 'temporal-system-worker',
      usage: 'client',
    }),
  );
  const engine = leaf('jincai-engine', () =>
    issueCertificate(signer, { name: 'jincai-engine', commonName: 'jincai-engine', usage: 'client' }),
  );
  return {
    serverName,
    ca,
    frontend,
    systemWorker,
    engine,
    site: {
      caFile: ca.certFile,
      clientCertFile: engine.certFile,
      clientKeyFile: engine.keyFile,
      serverNameOverride: serverName,
    },
  };
}
