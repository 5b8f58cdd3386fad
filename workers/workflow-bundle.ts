/**
 * How every bundle of the runbooks is built — by the workers, the replay test and the tests that
 * run workflows on a time-skipping server — so that code behaves the same inside the bundle as
 * in plain Node.
 */
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { failureConverterPath } from '../connectors/codec/data-converter.ts';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * Built into every bundle of the runbooks: refused updates and stray signals logged, updates
 * bounded; runs counted as they start and end.
 */
export const workflowInterceptorModules = [
  fileURLToPath(new URL('../workflows/interceptors.ts', import.meta.url)),
  fileURLToPath(new URL('../workflows/metrics-interceptors.ts', import.meta.url)),
];

/**
 * Webpack's side-effect-free re-export optimisation is off. Since webpack 5.113 it resolves a
 * member chain through two namespace re-exports (zod's `z.iso.date`: `export * as z` then
 * `export * as iso`) once correctly, then revisits the same reference from the barrel it left and
 * looks `date` up there — where `export * from './schemas.js'` supplies `z.date`, a schema of
 * Date objects. Inside the bundle `z.iso.date()` then refused every string. Without the
 * optimisation each import is taken from the module it names; the bundle is larger, not slower.
 */
export const workflowBundlerOptions: NonNullable<WorkerOptions['bundlerOptions']> = {
  webpackConfigHook: (config) => ({
    ...config,
    optimization: { ...config.optimization, sideEffects: false },
  }),
};

/**
 * Workflows bundled once, with the payload codec's failure converter, for workers given a
 * `workflowBundle`: the production build (scripts/build.ts) and the bundles a test run shares. By
 * default the runbooks with their interceptors. The bundler's own progress lines only when
 * something goes wrong.
 */
export async function bundleWorkflows(
  options: { entry?: string; interceptorModules?: string[] } = {},
): Promise<string> {
  const drop = () => undefined;
  const error = (message: string, meta?: unknown) => console.error(message, meta ?? '');
  const { code } = await bundleWorkflowCode({
    workflowsPath: options.entry ?? workflowsPath,
    workflowInterceptorModules: options.interceptorModules ?? workflowInterceptorModules,
    failureConverterPath,
    ...workflowBundlerOptions,
    logger: { log: drop, trace: drop, debug: drop, info: drop, warn: error, error },
  });
  return code;
}
