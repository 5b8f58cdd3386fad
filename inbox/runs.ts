/**
 * Starting runbooks through the front door, for the start page and the API the CLI uses: only
 * engineers (`approvals.startRoles`) may, the input is checked by the runbook's own schema and
 * the site before anything starts, and the run starts with the project's data converter and a
 * start assertion in its memo — who started it, signed with the inbox's key and bound to the
 * namespace, workflow id and type, task queue and the digest of the input — which the workflow
 * verifies, so its requester is the person who signed in here and no one else.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { signStart } from '../connectors/approvals/run-signing.ts';
import { decisionNonce, type SigningKey } from '../connectors/approvals/signing-keys.ts';
import type { DirectoryUser } from '../connectors/users/directory.ts';
import { planDigest } from '../domain/approvals/decision.ts';
import type { Bilingual } from '../domain/approvals/gate-types.ts';
import { startAssertionMemoKey, type StartClaims } from '../domain/approvals/signed-claims.ts';
import { prepareStart } from '../scripts/lib/run-start.ts';
import { RunbookInputError } from '../scripts/lib/runbook-input.ts';
import type { SiteConfig } from '../temporal.config.ts';
import { runbookEntries } from '../workflows/catalog.ts';

export interface RunbookChoice {
  runbook: string;
  workflowType: string;
  title: Bilingual;
}

export interface StartRequest {
  runbook: string;
  input: unknown;
  /** Omitted: the runbook's usual id (e.g. channel-recovery/CZ.TO.ICBC/<today>). */
  workflowId?: string;
}

export type StartOutcome =
  | { ok: true; runbook: string; workflowId: string; runId: string }
  | { ok: false; reason: 'not-allowed' }
  | { ok: false; reason: 'invalid-input'; problems: string[] }
  | { ok: false; reason: 'already-running'; workflowId: string };

export interface RunService {
  mayStart(user: DirectoryUser): boolean;
  runbooks(): RunbookChoice[];
  start(user: DirectoryUser, request: StartRequest, via: 'inbox' | 'cli'): Promise<StartOutcome>;
}

export function createRunService(deps: {
  site: SiteConfig;
  client: Client;
  signingKey: SigningKey;
  log: Logger;
}): RunService {
  const { site, client, signingKey, log } = deps;
  const mayStart = (user: DirectoryUser) => user.roles.some((r) => site.approvals.startRoles.includes(r));

  return {
    mayStart,
    runbooks() {
      return runbookEntries().map((e) => ({ runbook: e.id, workflowType: e.workflowType, title: e.title }));
    },

    async start(user, request, via) {
      if (!mayStart(user)) {
        log.warn({ user: user.id, runbook: request.runbook, via }, 'start refused: not an engineer');
        return { ok: false, reason: 'not-allowed' };
      }
      let prepared;
      try {
        prepared = prepareStart(request.runbook, request.input, {
          site,
          user: user.id,
          ...(request.workflowId && { workflowId: request.workflowId }),
        });
      } catch (err) {
        if (!(err instanceof RunbookInputError)) throw err;
        return { ok: false, reason: 'invalid-input', problems: err.problems };
      }
      const { entry, input, workflowId } = prepared;
      const taskQueue = site.temporal.taskQueues.runbooks;
      const claims: StartClaims = {
        v: 1,
        kind: 'start',
        namespace: site.temporal.namespace,
        workflowId,
        workflowType: entry.workflowType,
        taskQueue,
        inputDigest: planDigest(input),
        user: user.id,
        via,
        issuedAt: new Date().toISOString(),
        nonce: decisionNonce(),
      };
      try {
        const handle = await client.workflow.start(entry.workflowType, {
          taskQueue,
          workflowId,
          args: [input],
          memo: { [startAssertionMemoKey]: signStart(claims, signingKey) },
        });
        log.info(
          { user: user.id, runbook: request.runbook, workflowId, runId: handle.firstExecutionRunId, via },
          'run started',
        );
        return { ok: true, runbook: request.runbook, workflowId, runId: handle.firstExecutionRunId };
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError)
          return { ok: false, reason: 'already-running', workflowId };
        throw err;
      }
    },
  };
}
