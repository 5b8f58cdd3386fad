/**
 * A host reached over SSH (the `ssh2` library): key-based login, the host key pinned to the
 * site file's known_hosts lines (any other key ends the handshake), one connection per host kept
 * open and re-opened when it drops. An SSH server runs every command through the login shell, so
 * the argument vector — already checked against the host's allow-list — is single-quoted word by
 * word (domain/host-commands.ts `shellLine`).
 */
import { readFileSync, statSync } from 'node:fs';
import { Client } from 'ssh2';
import type { HostCommand } from '../../domain/host-commands.ts';
import { shellLine } from '../../domain/host-commands.ts';
import type { SshHostConfig } from '../../domain/host-config.ts';
import type { CommandResult, CommandRunner } from './command-host.ts';

/** The raw public-key blobs of known_hosts lines (`[host] type base64 [comment]`). */
export function pinnedKeys(lines: readonly string[]): Buffer[] {
  return lines.map((line) => {
    const words = line.trim().split(/\s+/);
    const typeAt = words.findIndex((w) => /^(ssh-|ecdsa-)/.test(w));
    return Buffer.from(words[typeAt + 1] ?? '', 'base64');
  });
}

/** The private key the site names: from its environment variable, or from a file only its owner can read. */
export function privateKeyOf(host: SshHostConfig, env: NodeJS.ProcessEnv = process.env): string {
  if (host.privateKeyEnv) {
    const value = env[host.privateKeyEnv];
    if (!value) throw new Error(`hosts ${host.name}: environment variable ${host.privateKeyEnv} is not set`);
    return value;
  }
  const file = host.privateKeyFile as string;
  if ((statSync(file).mode & 0o077) !== 0)
    throw new Error(
      `hosts ${host.name}: private key file ${file} must be readable by its owner only (chmod 600)`,
    );
  return readFileSync(file, 'utf8');
}

export function createSshRunner(host: SshHostConfig, env: NodeJS.ProcessEnv = process.env): CommandRunner {
  const keys = pinnedKeys(host.knownHosts);
  const privateKey = privateKeyOf(host, env);
  const passphrase = host.passphraseEnv ? env[host.passphraseEnv] : undefined;
  let connection: Promise<Client> | undefined;

  function connect(): Promise<Client> {
    const attempt = new Promise<Client>((resolve, reject) => {
      const client = new Client();
      let keyRefused = false;
      client.once('ready', () => resolve(client));
      client.once('error', (err) => {
        connection = undefined;
        reject(
          keyRefused
            ? new Error(
                `host ${host.name} (${host.address}:${host.port}) offered a host key that is not pinned in its knownHosts`,
                { cause: err },
              )
            : new Error(`host ${host.name} (${host.address}:${host.port}): ${err.message}`, { cause: err }),
        );
      });
      client.once('close', () => {
        connection = undefined;
      });
      client.connect({
        host: host.address,
        port: host.port,
        username: host.user,
        privateKey,
        ...(passphrase && { passphrase }),
        readyTimeout: host.connectTimeoutMs,
        hostVerifier: (key: Buffer) => {
          keyRefused = !keys.some((k) => k.equals(key));
          return !keyRefused;
        },
      });
    });
    connection = attempt;
    return attempt;
  }

  return {
    async run(command: HostCommand, timeoutMs: number): Promise<CommandResult> {
      const client = await (connection ?? connect());
      return new Promise((resolve, reject) => {
        client.exec(shellLine(command), (err, stream) => {
          if (err) {
            reject(new Error(`host ${host.name}: ${err.message}`, { cause: err }));
            return;
          }
          const out: Buffer[] = [];
          const errOut: Buffer[] = [];
          let code: number | null = null;
          let timedOut = false;
          const timer = setTimeout(() => {
            timedOut = true;
            stream.close();
          }, timeoutMs);
          stream.on('data', (chunk: Buffer) => out.push(chunk));
          stream.stderr.on('data', (chunk: Buffer) => errOut.push(chunk));
          stream.on('exit', (exitCode: number | null) => {
            code = exitCode;
          });
          stream.on('close', () => {
            clearTimeout(timer);
            resolve({
              code: timedOut ? null : code,
              stdout: Buffer.concat(out).toString('utf8'),
              stderr: Buffer.concat(errOut).toString('utf8'),
            });
          });
        });
      });
    },
    async close() {
      const open = connection;
      connection = undefined;
      if (open) (await open.catch(() => undefined))?.end();
    },
  };
}
