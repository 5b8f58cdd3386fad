/**
 * Starting runs in tests as the front door does (inbox/runs.ts): with a start assertion signed by
 * the test site's front-door key in the memo, naming the input's `requestedBy` as the person who
 * started it. `signedStarts` is a client interceptor, so a test estate's client starts every
 * runbook that way; a test of unsigned starts uses a client without it.
 */
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { signStart } from '../../connectors/approvals/run-signing.ts';
import { decisionNonce, loadSigningKey } from '../../connectors/approvals/signing-keys.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { planDigest } from '../../domain/approvals/decision.ts';
import { startAssertionMemoKey, type SignedStart } from '../../domain/approvals/signed-claims.ts';

export interface StartFacts {
  workflowType: string;
  workflowId: string;
  taskQueue: string;
  input: unknown;
  user: string;
  /** When it was signed: default now (a time-skipping server's clock is not the machine's). */
  issuedAt?: string;
}

/** The memo entry a front door puts on a start it signs. */
export function signedStartMemo(site: SiteConfig, start: StartFacts): Record<string, SignedStart> {
  const assertion = signStart(
    {
      v: 1,
      kind: 'start',
      namespace: site.temporal.namespace,
      workflowId: start.workflowId,
      workflowType: start.workflowType,
      taskQueue: start.taskQueue,
      inputDigest: planDigest(start.input),
      user: start.user,
      via: 'cli',
      issuedAt: start.issuedAt ?? new Date().toISOString(),
      nonce: decisionNonce(),
    },
    loadSigningKey(site.approvals),
  );
  return { [startAssertionMemoKey]: assertion };
}

/** Signs each start whose input names a requester (runbooks); other starts pass unchanged. */
export function signedStarts(site: SiteConfig): WorkflowClientInterceptor {
  return {
    startWithDetails(input, next) {
      const [arg] = input.options.args;
      const user = (arg as { requestedBy?: unknown } | undefined)?.requestedBy;
      if (typeof user !== 'string') return next(input);
      const memo = signedStartMemo(site, {
        workflowType: input.workflowType,
        workflowId: input.options.workflowId,
        taskQueue: input.options.taskQueue,
        input: arg,
        user,
      });
      return next({ ...input, options: { ...input.options, memo: { ...input.options.memo, ...memo } } });
    },
  };
}
