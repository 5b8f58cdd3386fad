/**
 * How the sandbox starts one of its programs (a bank's send/receive program, an application server,
 * the exchange client) as a process: node's arguments before the program's own. From its source
 * through tsx, or — given a production build that holds it compiled (`npm run build`'s dist/, or the
 * test run's build) — with plain node, a start about a second of CPU cheaper.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from '../temporal.config.ts';

export function programNodeArgs(source: string, build?: string): string[] {
  const compiled = build && join(build, relative(projectRoot, source).replace(/\.ts$/, '.js'));
  return compiled && existsSync(compiled) ? [compiled] : ['--import', 'tsx', source];
}
