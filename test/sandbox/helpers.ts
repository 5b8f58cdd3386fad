/** Shared helpers for the sandbox tests: a site built from the committed sandbox file, in a temp dir. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SiteConfig } from '../../temporal.config.ts';
import { loadSite } from '../../temporal.config.ts';

export interface TestSite {
  site: SiteConfig;
  dir: string;
  cleanup(): void;
}

export function testSite(options: { banks?: number; programs?: boolean } = {}): TestSite {
  const dir = mkdtempSync(join(tmpdir(), 'jincai-sandbox-'));
  const base = loadSite();
  let banks = base.banks;
  if (options.banks && options.banks > banks.length) {
    banks = Array.from({ length: options.banks }, (_, i) => {
      const code = `B${String(i + 1).padStart(3, '0')}`;
      return {
        ...(base.banks[0] as SiteConfig['banks'][number]),
        code,
        name: `测试银行${i + 1}`,
        qmgr: `QM.${code}`,
        senderChannel: `CZ.TO.${code}`,
        receiverChannel: `${code}.TO.CZ`,
        xmitq: `QM.${code}`,
        frontEnd: { host: '127.0.0.1', port: 20000 + i },
        programs: [],
      };
    });
  }
  const site: SiteConfig = {
    ...base,
    treasury: { adapter: 'sqlite', sqlite: { path: join(dir, 'treasury.db') } },
    banks: banks.map((b) => ({
      ...b,
      frontEnd: { host: '127.0.0.1', port: b.frontEnd.port },
      programs:
        options.programs === false ? [] : b.programs.map((p) => ({ name: p.name, pidFile: join(dir, 'run', `send-receive-${b.code}.pid`) })),
    })),
    sandbox: { port: 9080, dataDir: dir },
  };
  return { site, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
