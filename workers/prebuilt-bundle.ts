/**
 * Where the runbooks worker gets its workflow code. Compiled (`npm run build`, production), it
 * loads the bundle the build wrote beside it, or the one `--workflow-bundle` names, and never
 * compiles at start; from source (tsx, the embedded default), it compiles the workflows on the
 * fly unless given a bundle.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const workflowBundleFile = 'workflow-bundle.js';

/** `moduleUrl`: the worker entry point's `import.meta.url`; `given`: the `--workflow-bundle` option. */
export function prebuiltWorkflowBundle(moduleUrl: string, given?: string): { codePath: string } | undefined {
  const compiled = moduleUrl.endsWith('.js');
  const codePath =
    given ?? (compiled ? fileURLToPath(new URL(`../${workflowBundleFile}`, moduleUrl)) : undefined);
  if (codePath === undefined) return undefined;
  if (!existsSync(codePath)) {
    throw new Error(
      `No workflow bundle at ${codePath}: ${given ? 'check --workflow-bundle' : 'run `npm run build` first'}`,
    );
  }
  return { codePath };
}
