/**
 * Each kind of activity reaches a workflow only through the proxy of its own retry profile. The
 * type checker (`./jincai check`) holds `proxiesByKind` to it: each `@ts-expect-error` line must
 * stay an error, or the check fails. The linter keeps `proxyActivities` itself to the profiles'
 * module, as planted imports show.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { ESLint } from 'eslint';
import type { createBankQuestionActivities } from '../../activities/bank-questions.ts';
import type { createControlActivities } from '../../activities/control.ts';
import type { createMessageSerialActivities } from '../../activities/message-serials.ts';
import { projectRoot } from '../../temporal.config.ts';
import type { ReadProxy, RecordProxy, WriteProxy } from '../../workflows/shared/retry-profiles.ts';

type BankQuestions = ReturnType<typeof createBankQuestionActivities>;
type Serials = ReturnType<typeof createMessageSerialActivities>;
type Control = ReturnType<typeof createControlActivities>;

/** Never run: what each proxy carries, for the type checker. */
export function proxiesByKind(
  questions: { read: ReadProxy<BankQuestions>; write: WriteProxy<BankQuestions> },
  serials: { read: ReadProxy<Serials>; write: WriteProxy<Serials> },
  control: { read: ReadProxy<Control>; record: RecordProxy<Control> },
): unknown[] {
  return [
    questions.read.countAnswers,
    questions.read.readAnswers,
    questions.write.askBank,
    // @ts-expect-error filing a question writes: not on the read proxy
    questions.read.askBank,
    // @ts-expect-error a read is not on the write proxy either
    questions.write.readAnswers,
    serials.read.lastVoucherSent,
    serials.write.realignOutgoingSerial,
    // @ts-expect-error a change that needs a proof is never retried as a read
    serials.read.realignOutgoingSerial,
    control.read.describeEstate,
    control.record.writeRunbookReport,
    // @ts-expect-error a report is a record, with the record profile's long retries
    control.read.writeRunbookReport,
  ];
}

const eslint = new ESLint({ cwd: projectRoot });

async function messages(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(
    `/* eslint-disable @typescript-eslint/no-unused-vars */\n${code}\n`,
    {
      filePath: join(projectRoot, file),
    },
  );
  assert.ok(result, file);
  return result.messages.map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`);
}

it('workflow code gets its activity proxies from the retry profiles only', async () => {
  const planted = `import { proxyActivities } from '@temporalio/workflow';`;
  const refused = await messages('workflows/planted.ts', planted);
  assert.equal(refused.length, 1, refused.join('\n'));
  assert.match(refused[0] ?? '', /readActivities, writeActivities or recordActivities/);
  assert.deepEqual(await messages('workflows/shared/retry-profiles.ts', planted), []);
  assert.deepEqual(
    await messages('workflows/planted.ts', `import { readActivities } from './shared/retry-profiles.ts';`),
    [],
  );
});
