/**
 * Where things are in the test run's build (scripts/lib/test-build.ts), for the run and for the
 * files it runs: the variable naming the build's folder, and the project compiled inside it — the
 * test files run from there — with the way back from a compiled file to its source.
 */
import { join, relative, sep } from 'node:path';
import { projectRoot } from '../../temporal.config.ts';

export const testBuildEnv = 'JINCAI_TEST_BUILD';

/** The folder inside the build where the whole project is compiled, file by file, as in the tree. */
export function compiledProject(build: string): string {
  return join(build, 'project');
}

/** `test/unit/catalog.test.ts` → `<build>/project/test/unit/catalog.test.js`. */
export function compiledFile(source: string, build: string): string {
  return join(compiledProject(build), relative(projectRoot, source).replace(/\.ts$/, '.js'));
}

/** The source of a file compiled in the build named by JINCAI_TEST_BUILD; any other file as it is. */
export function sourceFile(file: string, build = process.env[testBuildEnv]): string {
  const compiled = build && compiledProject(build) + sep;
  if (!compiled || !file.startsWith(compiled)) return file;
  return join(projectRoot, file.slice(compiled.length).replace(/\.js$/, '.ts'));
}
