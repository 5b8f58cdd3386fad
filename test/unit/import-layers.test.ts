/**
 * The layers hold: for each layer, an import planted in a file inside its folder is linted with the
 * project's ESLint configuration — refused when it points up (or sideways into the sandbox or the
 * tests), accepted in the allowed direction.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { projectRoot } from '../../temporal.config.ts';

const eslint = new ESLint({ cwd: projectRoot });
const importRule = '@typescript-eslint/no-restricted-imports';

/** The import-rule messages ESLint gives `code` as if it were the file `file` (repo-relative). */
async function refusals(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(
    `/* eslint-disable @typescript-eslint/no-unused-vars */\n${code}\n`,
    {
      filePath: join(projectRoot, file),
    },
  );
  assert.ok(result, file);
  const other = result.messages.filter((m) => m.ruleId !== importRule && m.ruleId !== null);
  assert.deepEqual(other, [], `${file}: only the import rule should speak`);
  const fatal = result.messages.filter((m) => m.ruleId === null);
  assert.deepEqual(fatal, [], `${file}: the planted code must parse`);
  return result.messages.map((m) => m.message);
}

async function refused(file: string, code: string, why: RegExp): Promise<void> {
  const messages = await refusals(file, code);
  assert.equal(
    messages.length,
    1,
    `${file}: ${code} should be refused once, got ${JSON.stringify(messages)}`,
  );
  assert.match(messages[0]!, why, `${file}: ${code}`);
}

async function accepted(file: string, code: string): Promise<void> {
  assert.deepEqual(await refusals(file, code), [], `${file}: ${code} should be accepted`);
}

describe('import layers', () => {
  it('domain imports no other layer, no Node built-ins and no I/O packages', async () => {
    const file = 'domain/runbooks/planted.ts';
    const layer = /Domain code imports no other layer/;
    await refused(file, `import { acquireLock } from '../../workflows/shared/locks.ts';`, layer);
    await refused(file, `import type { createMqActivities } from '../../activities/mq.ts';`, layer);
    await refused(
      file,
      `import type { TreasuryDatabase } from '../../connectors/treasury/schema.ts';`,
      layer,
    );
    await refused(file, `import type { SiteConfig } from '../../temporal.config.ts';`, layer);
    await refused(file, `import { startSandbox } from '../../sandbox/server.ts';`, layer);
    await refused(file, `import { checkArgs } from '../../scripts/lib/check-args.ts';`, layer);
    await refused(file, `import { renderPage } from '../../inbox/pages.ts';`, layer);
    await refused(file, `import { createHash } from 'node:crypto';`, /no Node built-ins/);
    await refused(file, `import { sql } from 'kysely';`, /pure: no I\/O/);
    await refused(file, `import { proxyActivities } from '@temporalio/workflow';`, /pure: no I\/O/);
    await accepted(
      file,
      [
        `import { z } from 'zod';`,
        `import { ApplicationFailure } from '@temporalio/common';`,
        `import { sha256 } from '@noble/hashes/sha2.js';`,
        `import { canonicalJson } from '../canonical-json.ts';`,
        `import type { ApprovalPlan } from '../approvals/gate-types.ts';`,
        `import { bankCode } from './input-fields.ts';`,
      ].join('\n'),
    );
  });

  it('connectors import connectors, the configuration and domain code only', async () => {
    const file = 'connectors/treasury/planted.ts';
    const layer = /Connectors import connectors, the configuration and domain code only/;
    await refused(file, `import { createMqActivities } from '../../activities/mq.ts';`, layer);
    await refused(file, `import type { SettleCheck } from '../../workflows/shared/settle-check.ts';`, layer);
    await refused(file, `import { createWorkers } from '../../workers/create-workers.ts';`, layer);
    await refused(file, `import { startSandbox } from '../../sandbox/server.ts';`, layer);
    await refused(file, `import { testSite } from '../../test/support/site.ts';`, layer);
    await accepted(
      file,
      [
        `import { readFileSync } from 'node:fs';`,
        `import { Kysely } from 'kysely';`,
        `import { secretFromEnv } from '../../temporal.config.ts';`,
        `import { ErrorKind } from '../../domain/errors.ts';`,
        `import { createMqAdmin } from '../mq/create-mq-admin.ts';`,
      ].join('\n'),
    );
  });

  it('the site configuration imports domain code only', async () => {
    const file = 'temporal.config.ts';
    const layer = /The site configuration imports only domain code/;
    await refused(file, `import { openTreasury } from './connectors/treasury/database.ts';`, layer);
    await refused(file, `import { acquireLock } from './workflows/shared/locks.ts';`, layer);
    await accepted(file, `import { voucherRulesSchema } from './domain/vouchers/rule-sets.ts';`);
  });

  it('activities import connectors, domain code and each other, never workflows', async () => {
    const file = 'activities/bank-checks/planted.ts';
    const layer = /Activities import connectors, domain code and other activities only/;
    await refused(
      file,
      `import type { BankCheckRun } from '../../workflows/shared/bank-check-run.ts';`,
      layer,
    );
    await refused(file, `import { renderPage } from '../../inbox/pages.ts';`, layer);
    await refused(file, `import { validateRunbookInput } from '../../scripts/lib/runbook-input.ts';`, layer);
    await refused(file, `import { startSandbox } from '../../sandbox/server.ts';`, layer);
    await accepted(
      file,
      [
        `import { Context } from '@temporalio/activity';`,
        `import type { TreasuryDb } from '../../connectors/treasury/database.ts';`,
        `import { ErrorKind } from '../../domain/errors.ts';`,
        `import type { SiteConfig } from '../../temporal.config.ts';`,
        `import { requireBank } from '../site-lookup.ts';`,
      ].join('\n'),
    );
  });

  it('workflows import activities, connectors and the configuration for types only, and no entry points', async () => {
    const file = 'workflows/planted.ts';
    const typesOnly = /for its types only/;
    const layer = /Workflows import no entry points, sandbox or tests/;
    await refused(file, `import { createMqActivities } from '../activities/mq.ts';`, typesOnly);
    await refused(file, `import { MqCommandError } from '../connectors/mq/errors.ts';`, typesOnly);
    await refused(file, `import { loadSite } from '../temporal.config.ts';`, typesOnly);
    await refused(file, `import type { ApprovalsApi } from '../inbox/approvals.ts';`, layer);
    await refused(file, `import { createWorkers } from '../workers/create-workers.ts';`, layer);
    await refused(file, `import { startSandbox } from '../sandbox/server.ts';`, layer);
    await refused(file, `import { readFileSync } from 'node:fs';`, /Node built-ins/);
    await refused(file, `import pino from 'pino';`, /Not in workflow code/);
    await accepted(
      file,
      [
        `import { sleep } from '@temporalio/workflow';`,
        `import type { createMqActivities } from '../activities/mq.ts';`,
        `import type { SiteConfig } from '../temporal.config.ts';`,
        `import { formatFen } from '../domain/display.ts';`,
        `import { acquireLock } from './shared/locks.ts';`,
        `import { readActivities } from './shared/retry-profiles.ts';`,
      ].join('\n'),
    );
  });

  it('the sandbox reaches the estate through connectors and domain code; its entry points may use the scripts', async () => {
    const file = 'sandbox/bank/planted.ts';
    const layer = /The sandbox imports connectors, domain code and the configuration only/;
    await refused(file, `import { parseInput } from '../../workflows/shared/runbook-opening.ts';`, layer);
    await refused(file, `import { createTreasuryActivities } from '../../activities/treasury.ts';`, layer);
    await refused(file, `import { checkArgs } from '../../scripts/lib/check-args.ts';`, layer);
    await accepted(
      file,
      [
        `import type { TreasuryDatabase } from '../../connectors/treasury/schema.ts';`,
        `import { addDays } from '../../domain/calendar/dates.ts';`,
        `import type { SiteConfig } from '../../temporal.config.ts';`,
        `import { SandboxClock } from '../clock.ts';`,
      ].join('\n'),
    );
    await accepted('sandbox/main.ts', `import { argumentsOk } from '../scripts/lib/check-args.ts';`);
    await refused('sandbox/cli.ts', `import { testSite } from '../test/support/site.ts';`, /Only tests/);
  });

  it('entry points import neither the sandbox nor tests; benchmarks and tests may', async () => {
    const layer = /Entry points import neither the sandbox/;
    await refused('scripts/lib/planted.ts', `import { startSandbox } from '../../sandbox/server.ts';`, layer);
    await refused('workers/planted.ts', `import { testSite } from '../test/support/site.ts';`, layer);
    await refused('inbox/planted.ts', `import { SandboxClock } from '../sandbox/clock.ts';`, layer);
    await accepted(
      'inbox/planted.ts',
      [
        `import { decideUpdate } from '../workflows/shared/approval-definitions.ts';`,
        `import { signDecision } from '../connectors/approvals/signing-keys.ts';`,
        `import { formatFen } from '../domain/display.ts';`,
        `import { createClient } from '../scripts/lib/client.ts';`,
      ].join('\n'),
    );
    await accepted('scripts/bench/planted.ts', `import { startSandbox } from '../../sandbox/server.ts';`);
    await accepted(
      'test/unit/planted.ts',
      [
        `import { startSandbox } from '../../sandbox/server.ts';`,
        `import { createMqActivities } from '../../activities/mq.ts';`,
      ].join('\n'),
    );
  });

  it('every folder of TypeScript code is one of the layers', () => {
    const tracked = execFileSync('git', ['ls-files', '*.ts'], { cwd: projectRoot, encoding: 'utf8' });
    const folders = new Set(
      tracked
        .split('\n')
        .filter((f) => f.includes('/'))
        .map((f) => f.slice(0, f.indexOf('/'))),
    );
    const layered = [
      'domain',
      'connectors',
      'activities',
      'workflows',
      'sandbox',
      'scripts',
      'workers',
      'inbox',
      'test',
    ];
    assert.deepEqual(
      [...folders].filter((f) => !layered.includes(f)),
      [],
    );
  });
});
