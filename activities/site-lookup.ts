/**
 * Looks up configured objects for activities. Banks are read live: the site file's banks plus
 * the `<CODE>.yaml` files in `addedBanksDir` as they are now, so a bank the add-agent-bank
 * runbook registers is known to running workers without a restart. The folder is listed on each
 * look-up and its files parsed again only when a name, size or modification time has changed.
 * An unknown name is a non-retryable input error; an invalid bank file a configuration error.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { parse as parseYaml } from 'yaml';
import { folderSignature, listFolder } from '../connectors/files/live-folder.ts';
import { ErrorKind } from '../domain/errors.ts';
import { siteSchema, type BankConfig, type SiteConfig } from '../temporal.config.ts';

const bankSchema = siteSchema.shape.banks.element;

const cache = new WeakMap<SiteConfig, { signature: string; banks: BankConfig[] }>();

/** Every bank of the estate as configured at this moment. */
export function liveBanks(site: SiteConfig): BankConfig[] {
  const dir = site.addedBanksDir;
  if (!dir) return site.banks;
  const files = listFolder(dir, /\.ya?ml$/);
  const signature = folderSignature(files);
  const hit = cache.get(site);
  if (hit && hit.signature === signature) return hit.banks;
  const added = files.map((f) => readBankFile(f.path, f.name));
  const seen = new Set<string>();
  for (const [i, b] of added.entries()) {
    if (seen.has(b.code))
      throw configError(`addedBanksDir/${files[i]?.name}: bank code ${b.code} is in two files`);
    seen.add(b.code);
  }
  // A bank loaded from the folder at start is in site.banks already; the file as it is now wins.
  const banks = [...site.banks.filter((b) => !seen.has(b.code)), ...added];
  cache.set(site, { signature, banks });
  return banks;
}

export function requireBank(site: SiteConfig, code: string): BankConfig {
  const banks = liveBanks(site);
  const bank = banks.find((b) => b.code === code);
  if (!bank) {
    throw ApplicationFailure.create({
      type: ErrorKind.InvalidInput,
      nonRetryable: true,
      message: `bank: unknown bank code "${code}"; expected one of ${banks.map((b) => b.code).join(', ')}`,
    });
  }
  return bank;
}

function readBankFile(path: string, name: string): BankConfig {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw configError(`addedBanksDir/${name}: not valid YAML: ${String(err)}`);
  }
  const parsed = bankSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw configError(
      `addedBanksDir/${name}: ${issue?.path.join('.') || '(file)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  for (const p of parsed.data.programs) {
    // Relative paths in the site file are resolved against its folder, which an activity does not know.
    if ('pidFile' in p && !isAbsolute(p.pidFile))
      throw configError(`addedBanksDir/${name}: programs.pidFile must be an absolute path`);
  }
  return parsed.data;
}

function configError(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: ErrorKind.ConfigurationError, nonRetryable: true, message });
}
