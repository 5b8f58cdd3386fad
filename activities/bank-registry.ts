/**
 * The estate's list of banks as the add-agent-bank runbook needs it (runbooks queue): every bank
 * with its names and front end, to refuse a clash before anything happens; the new bank's entry
 * rendered as the `<CODE>.yaml` file `addedBanksDir` holds; and that file written atomically
 * (a temporary file renamed into place), which is what makes the bank part of the estate.
 * Workers read the folder on each bank look-up (site-lookup.ts), so none needs a restart — every
 * zone's worker must see the same folder (one host, or a shared mount at a split site).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { parse as parseYaml, stringify } from 'yaml';
import { ErrorKind } from '../domain/errors.ts';
import type { EstateBanks, NewBank } from '../domain/runbooks/add-agent-bank.types.ts';
import { siteSchema, type SiteConfig } from '../temporal.config.ts';
import { requiresProof } from './proof-actions.ts';
import { liveBanks } from './site-lookup.ts';

export function createBankRegistryActivities({ site }: { site: SiteConfig }) {
  const bankSchema = siteSchema.shape.banks.element;
  const fileOf = (code: string) => (site.addedBanksDir ? join(site.addedBanksDir, `${code}.yaml`) : '');

  return {
    async estateBanks(): Promise<EstateBanks> {
      return {
        financeQmgr: site.mq.financeQmgr,
        addedBanksDir: site.addedBanksDir ?? null,
        pidDirs: site.pidDirs,
        banks: liveBanks(site).map((b) => ({
          code: b.code,
          name: b.name,
          qmgr: b.qmgr,
          senderChannel: b.senderChannel,
          receiverChannel: b.receiverChannel,
          xmitq: b.xmitq,
          frontEnd: b.frontEnd,
        })),
      };
    },

    /** The bank's file as it will be written; the plan shows this text, the registration writes it. */
    async renderBankFile({ bank, workflowId }: { bank: NewBank; workflowId: string }) {
      const path = fileOf(bank.code);
      const header = `# ${bank.name}（${bank.code}）：由新增代理银行流程 ${workflowId} 登记。\n`;
      return { path, content: header + stringify(bank) };
    },

    /** Writes `<addedBanksDir>/<CODE>.yaml`; the same content already there counts as done. */
    registerBank: requiresProof(
      ({ path, content }: { code: string; path: string; content: string }) => [
        { kind: 'file', target: path, command: content },
      ],
      async ({ code, path, content }): Promise<{ file: string; alreadyDone: boolean }> => {
        if (!site.addedBanksDir || path !== fileOf(code)) {
          throw ApplicationFailure.create({
            type: ErrorKind.ConfigurationError,
            nonRetryable: true,
            message: `registerBank: ${path} is not ${fileOf(code) || 'a file under addedBanksDir (not configured)'}`,
          });
        }
        const parsed = bankSchema.safeParse(parseYaml(content));
        if (!parsed.success || parsed.data.code !== code) {
          throw ApplicationFailure.create({
            type: ErrorKind.InvalidInput,
            nonRetryable: true,
            message: `registerBank: the content is not a bank entry for ${code}${parsed.success ? '' : `: ${parsed.error.issues[0]?.message}`}`,
          });
        }
        if (existsSync(path) && readFileSync(path, 'utf8') === content)
          return { file: path, alreadyDone: true };
        await mkdir(site.addedBanksDir, { recursive: true });
        // A name the folder listing ignores (*.tmp) until the rename makes the whole file appear at once.
        const tmp = `${path}.${process.pid}.tmp`;
        await writeFile(tmp, content, 'utf8');
        await rename(tmp, path);
        return { file: path, alreadyDone: false };
      },
    ),
  };
}
