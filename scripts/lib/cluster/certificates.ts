/**
 * A private CA and the certificates of a Temporal deployment, made with the openssl command
 * (Debian's `openssl` package): EC P-256 keys (PKCS#8, mode 600), X.509 v3 with the extensions
 * rustls (the workers' core SDK) and Go (the server) insist on — CA:TRUE on the CA, subject
 * alternative names and the right extended key usage on each leaf.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface KeyPairFiles {
  certFile: string;
  keyFile: string;
}

export interface LeafRequest {
  /** File stem under the CA's folder: `<name>.pem`, `<name>.key`. */
  name: string;
  commonName: string;
  /** `server`: the frontend's certificate; `client`: a worker's, the inbox's, an operator's. */
  usage: 'server' | 'client';
  dnsNames?: string[];
  ips?: string[];
  days?: number;
}

const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Creates `ca.pem` and `ca.key` in `dir` (the key never leaves it). */
export function createPrivateCa(dir: string, commonName: string, days = 3650): KeyPairFiles {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = { certFile: join(dir, 'ca.pem'), keyFile: join(dir, 'ca.key') };
  const config = writeConfig(dir, 'ca', [
    '[req]',
    'distinguished_name = dn',
    'x509_extensions = ca',
    'prompt = no',
    '[dn]',
    `CN = ${commonName}`,
    '[ca]',
    'basicConstraints = critical,CA:TRUE,pathlen:0',
    'keyUsage = critical,keyCertSign,cRLSign',
    'subjectKeyIdentifier = hash',
  ]);
  try {
    openssl([
      'req',
      '-x509',
      ...ecKey,
      '-config',
      config,
      '-keyout',
      files.keyFile,
      '-out',
      files.certFile,
      '-days',
      String(days),
    ]);
  } finally {
    rmSync(config);
  }
  chmodSync(files.keyFile, 0o600);
  return files;
}

/** Issues a leaf certificate signed by the CA, into the CA's folder. */
export function issueCertificate(ca: KeyPairFiles & { dir: string }, leaf: LeafRequest): KeyPairFiles {
  const files = { certFile: join(ca.dir, `${leaf.name}.pem`), keyFile: join(ca.dir, `${leaf.name}.key`) };
  const csr = join(ca.dir, `${leaf.name}.csr`);
  const altNames = [
    ...(leaf.dnsNames ?? []).map((d) => `DNS:${d}`),
    ...(leaf.ips ?? []).map((ip) => `IP:${ip}`),
  ];
  const config = writeConfig(ca.dir, leaf.name, [
    '[req]',
    'distinguished_name = dn',
    'prompt = no',
    '[dn]',
    `CN = ${leaf.commonName}`,
    '[leaf]',
    'basicConstraints = critical,CA:FALSE',
    'keyUsage = critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage = ${leaf.usage === 'server' ? 'serverAuth' : 'clientAuth'}`,
    ...(altNames.length > 0 ? [`subjectAltName = ${altNames.join(',')}`] : []),
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
  ]);
  try {
    openssl(['req', '-new', ...ecKey, '-config', config, '-keyout', files.keyFile, '-out', csr]);
    openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.certFile,
      '-CAkey',
      ca.keyFile,
      '-set_serial',
      `0x${randomBytes(16).toString('hex')}`,
      '-days',
      String(leaf.days ?? 825),
      '-extfile',
      config,
      '-extensions',
      'leaf',
      '-out',
      files.certFile,
    ]);
  } finally {
    rmSync(config);
    rmSync(csr, { force: true });
  }
  chmodSync(files.keyFile, 0o600);
  return files;
}

function writeConfig(dir: string, name: string, lines: string[]): string {
  const file = join(dir, `.${name}.openssl.cnf`);
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`openssl ${args[0]} failed: ${stderr || (err as Error).message}`, { cause: err });
  }
}
