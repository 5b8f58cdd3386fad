/**
 * The province's certificate authority in the sandbox: it issues the exchange client's X.509
 * certificate (RSA-2048, SHA-256, subject OU = the division), which the platform checks on every
 * request. Keys are made by node:crypto; node-forge builds and signs the certificates, which
 * node:crypto cannot do.
 */
import { generateKeyPair, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';

export interface KeyPair {
  publicKeyPem: string;
  privateKeyPem: string;
}

export interface ProvinceCa {
  certPem: string;
  keyPem: string;
}

const utf8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;
const DAY = 86_400_000;

export async function newKeyPair(): Promise<KeyPair> {
  const { publicKey, privateKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

const caName = [
  { shortName: 'CN', value: 'Province Finance Exchange CA (sandbox)' },
  { shortName: 'O', value: '省财政厅（沙箱）', valueTagClass: utf8 },
];

/** The CA's key and self-signed certificate under `dir`, made on first use. */
export async function provinceCa(dir: string, now: Date): Promise<ProvinceCa> {
  const certFile = join(dir, 'province-ca.crt');
  const keyFile = join(dir, 'province-ca.key');
  if (existsSync(certFile) && existsSync(keyFile))
    return { certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') };
  const keys = await newKeyPair();
  const cert = certificate(keys.publicKeyPem, caName, caName, {
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 20 * 365 * DAY),
  });
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', keyCertSign: true },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privateKeyPem), forge.md.sha256.create());
  mkdirSync(dir, { recursive: true });
  writeFileSync(keyFile, keys.privateKeyPem, { mode: 0o600 });
  const certPem = forge.pki.certificateToPem(cert);
  writeFileSync(certFile, certPem);
  return { certPem, keyPem: keys.privateKeyPem };
}

/** A client certificate for `division`, valid from `notBefore` to `notAfter`, signed by the CA. */
export function issueClientCertificate(
  ca: ProvinceCa,
  subject: { division: string; name: string; publicKeyPem: string },
  validity: { notBefore: Date; notAfter: Date },
): string {
  const issuer = forge.pki.certificateFromPem(ca.certPem).subject.attributes;
  const cert = certificate(
    subject.publicKeyPem,
    [
      { shortName: 'CN', value: `exchange-client-${subject.division}` },
      { shortName: 'OU', value: subject.division },
      { shortName: 'O', value: subject.name, valueTagClass: utf8 },
    ],
    issuer,
    validity,
  );
  cert.setExtensions([{ name: 'keyUsage', digitalSignature: true }]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

function certificate(
  publicKeyPem: string,
  subject: forge.pki.CertificateField[],
  issuer: forge.pki.CertificateField[],
  validity: { notBefore: Date; notAfter: Date },
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  // A positive serial: the first byte's top bit clear.
  cert.serialNumber = `0${randomBytes(8).toString('hex').slice(1)}`;
  cert.validity.notBefore = validity.notBefore;
  cert.validity.notAfter = validity.notAfter;
  cert.setSubject(subject);
  cert.setIssuer(issuer);
  return cert;
}
