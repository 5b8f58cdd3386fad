/**
 * Requester activities (runbooks queue): the check of a run's start assertion, where the run
 * happens. The workflow hands over what its memo holds and the digest of its input as started;
 * what the assertion must match — namespace, workflow id and type, task queue, when the run
 * started — the activity takes from its own info and from Temporal, and the assertion's nonce is
 * bound to the run in the nonce ledger (a second run under the same workflow id cannot reuse it;
 * a reset keeps its original run). A check that fails leaves the run unverified: it must be
 * claimed before it asks for an approval.
 */
import { Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { NonceLedger } from '../connectors/approvals/nonce-ledger.ts';
import type { RunFactsReader } from '../connectors/temporal/run-facts.ts';
import type { SiteConfig } from '../temporal.config.ts';
import type { SignerKey } from '../domain/approvals/decision.ts';
import { checkStart } from '../domain/approvals/requester-rules.ts';
import type { SignedStart } from '../domain/approvals/signed-claims.ts';
import { records } from './activity-kinds.ts';

export type StartVerdict =
  { verified: true; user: string; evidence: SignedStart } | { verified: false; why: string };

export function createRequesterActivities(deps: {
  site: SiteConfig;
  signers: SignerKey[];
  ledger: NonceLedger;
  runs: RunFactsReader;
  log: Logger;
}) {
  const { site, signers, ledger, runs, log } = deps;
  const namespace = site.temporal.namespace;

  async function judge(
    run: { workflowId: string; runId: string } | undefined,
    assertion: unknown,
    inputDigest: string,
  ): Promise<StartVerdict> {
    const facts = run && (await runs.facts(run));
    if (!run || !facts) return { verified: false, why: 'Temporal knows no such run' };
    const check = checkStart(assertion, {
      namespace,
      workflowId: run.workflowId,
      workflowType: facts.workflowType,
      taskQueue: facts.taskQueue,
      inputDigest,
      startedAtMs: facts.startTimeMs,
      maxAgeMs: site.approvals.maxDecisionAgeSeconds * 1000,
      signers,
    });
    if (!check.ok) return { verified: false, why: check.message };
    const { claims } = check.start;
    const bound = await ledger.bind(
      { namespace, ...run },
      [{ nonce: claims.nonce, kind: 'start' }],
      [facts.originalRunId],
    );
    if (bound.reused)
      return {
        verified: false,
        why: `the assertion was first used by ${bound.reused.boundTo.workflowId} run ${bound.reused.boundTo.runId}`,
      };
    return { verified: true, user: claims.user, evidence: check.start };
  }

  return {
    /** A record: it binds the assertion's nonce to the run in the ledger, which must not be lost. */
    verifyStartAssertion: records(
      async ({
        assertion,
        inputDigest,
      }: {
        assertion: unknown;
        inputDigest: string;
      }): Promise<StartVerdict> => {
        const run = Context.current().info.workflowExecution;
        const verdict = await judge(run, assertion, inputDigest);
        if (!verdict.verified)
          log.warn(
            { refused: 'start assertion', workflowId: run?.workflowId, runId: run?.runId, why: verdict.why },
            'start assertion refused: the run must be claimed',
          );
        return verdict;
      },
    ),
  };
}
