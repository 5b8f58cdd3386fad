/**
 * How every bundle of the runbooks is built — by the workers, the replay test and the tests that
 * run workflows on a time-skipping server — so that code behaves the same inside the bundle as
 * in plain Node.
 */
import { fileURLToPath } from 'node:url';
import type { WorkerOptions } from '@temporalio/worker';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** Built into every bundle of the runbooks: refused updates and stray signals logged, updates bounded. */
export const workflowInterceptorModules = [
  fileURLToPath(new URL('../workflows/interceptors.ts', import.meta.url)),
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
