/**
 * Every failure type comes from the one enum (domain/errors.ts): code planted in production
 * folders that names a failure type with a string literal is refused by the linter, the same code
 * with the enum accepted.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { ESLint } from 'eslint';
import { projectRoot } from '../../temporal.config.ts';

const eslint = new ESLint({ cwd: projectRoot });
const header = `import { ApplicationFailure } from '@temporalio/common';\nimport { ErrorKind } from '../domain/errors.ts';\n`;

async function refusals(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${header}${code}\n`, { filePath: join(projectRoot, file) });
  assert.ok(result, file);
  const fatal = result.messages.filter((m) => m.fatal);
  assert.deepEqual(fatal, [], `${file}: the planted code must parse`);
  return result.messages.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

const planted = {
  literalType: `export const f = () => ApplicationFailure.create({ type: 'ApprovalRefused', message: 'x' });`,
  templateType: 'export const f = () => ApplicationFailure.create({ type: `Bank${1}`, message: "x" });',
  noType: `export const f = () => ApplicationFailure.create({ nonRetryable: true, message: 'x' });`,
  shorthand: `export const f = () => ApplicationFailure.nonRetryable('x', 'UnexpectedState');`,
  untyped: `export const f = () => ApplicationFailure.retryable('x');`,
  constructed: `export const f = () => new ApplicationFailure('x', 'UnexpectedState');`,
  policy: `export const p = { nonRetryableErrorTypes: ['InvalidInput'] };`,
  compared: `export const f = (e: ApplicationFailure) => e.type === 'ResourceLocked';`,
};

it('refuses a failure type written as a string, in every production layer', async () => {
  for (const file of [
    'workflows/planted.ts',
    'activities/planted.ts',
    'connectors/planted.ts',
    'inbox/planted.ts',
  ]) {
    for (const [name, code] of Object.entries(planted)) {
      const found = await refusals(file, code);
      assert.equal(found.length, 1, `${file} ${name}: ${JSON.stringify(found)}`);
      assert.match(found[0] ?? '', /ErrorKind enum/, `${file} ${name}`);
    }
  }
});

it('accepts the same failures typed from the enum', async () => {
  const typed = [
    `export const f = () => ApplicationFailure.create({ type: ErrorKind.ApprovalRefused, message: 'x' });`,
    `export const p = { nonRetryableErrorTypes: [ErrorKind.InvalidInput] };`,
    `export const f = (e: ApplicationFailure) => e.type === ErrorKind.ResourceLocked;`,
    // Other things called type are none of its business.
    `export const g = (spec: { type: string }) => spec.type === 'QLOCAL' || spec.type === 'SDR';`,
  ];
  for (const code of typed) assert.deepEqual(await refusals('activities/planted.ts', code), [], code);
});
