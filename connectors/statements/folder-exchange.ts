/**
 * The statement exchange over a front-end processor's folders, as banks' front ends are usually
 * shared (SFTP or NFS mounted): `<root>/<BANK>/in/` holds what the bank sends, `<root>/<BANK>/out/`
 * what finance sends it — requests (`REQ_<kind>_<YYYYMMDD>_<id>.json`) and replies
 * (`<BANK>_<kind>_<YYYYMMDD>_reply.xml`). Files are written under a temporary name and renamed,
 * so the other side never reads half a file.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { missingPackages, parseStatementFileName } from '../../domain/reconciliation/file-names.ts';
import { compactDate } from '../../domain/reconciliation/format.ts';
import type { StatementKind } from '../../domain/reconciliation/statement.ts';
import type { ArrivedStatement, StatementExchange } from './port.ts';

export const exchangeFolders = (root: string, bank: string) => ({
  in: join(root, bank, 'in'),
  out: join(root, bank, 'out'),
});

export const replyFileName = (bank: string, kind: StatementKind, date: string) =>
  `${bank}_${kind}_${compactDate(date)}_reply.xml`;

export interface StatementRequest {
  kind: StatementKind;
  date: string;
  packages?: number[];
}

export function createFolderExchange(root: string): StatementExchange {
  const put = async (dir: string, name: string, bytes: Buffer | string) => {
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `.${name}.${randomUUID()}.part`);
    await writeFile(temp, bytes);
    await rename(temp, join(dir, name));
  };
  return {
    async arrived(bank, kind, date) {
      const dir = exchangeFolders(root, bank).in;
      const names = await readdir(dir).catch(() => [] as string[]);
      const mine = names
        .map((name) => ({ name, parsed: parseStatementFileName(name) }))
        .filter((f) => f.parsed?.bank === bank && f.parsed.kind === kind && f.parsed.date === date);
      const packs = mine.filter((f) => f.parsed?.pack);
      if (packs.length === 0) return { files: mine.map((f) => join(dir, f.name)), missingPackages: [] };
      packs.sort((a, b) => (a.parsed?.pack?.no ?? 0) - (b.parsed?.pack?.no ?? 0));
      const of = Math.max(...packs.map((f) => f.parsed?.pack?.of ?? 0));
      return {
        files: packs.map((f) => join(dir, f.name)),
        missingPackages: missingPackages(
          packs.map((f) => f.parsed?.pack?.no ?? 0),
          of,
        ),
      } satisfies ArrivedStatement;
    },
    async request(bank, kind, date, packages, requestId) {
      const id = requestId ?? randomUUID().slice(0, 8);
      const body: StatementRequest = { kind, date, ...(packages && { packages }) };
      await put(
        exchangeFolders(root, bank).out,
        `REQ_${kind}_${compactDate(date)}_${id}.json`,
        JSON.stringify(body),
      );
      return id;
    },
    async reply(bank, kind, date, reply) {
      const name = replyFileName(bank, kind, date);
      await put(exchangeFolders(root, bank).out, name, reply);
      return name;
    },
  };
}
