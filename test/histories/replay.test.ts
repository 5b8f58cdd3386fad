import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { createDataConverter } from '../../connectors/codec/data-converter.ts';
import { parsePayloadKeys } from '../../connectors/codec/payload-keys.ts';
import { workflowsPath } from '../../workers/create-workers.ts';

// Recorded by test/histories/record.ts; replaying them proves today's workflow code makes the
// same decisions as the code that wrote them (a non-deterministic change fails here).
const here = new URL('.', import.meta.url);
const keys = parsePayloadKeys(readFileSync(new URL('payload-key.txt', here), 'utf8').trim(), 'payload-key.txt');
const histories = readdirSync(here).filter((f) => f.endsWith('.history.bin'));

describe('recorded histories replay on the current workflow code', () => {
  for (const file of histories) {
    it(file, { timeout: 120_000 }, async () => {
      const history = proto.temporal.api.history.v1.History.decode(readFileSync(new URL(file, here)));
      await Worker.runReplayHistory({ workflowsPath, dataConverter: createDataConverter(keys) }, history);
    });
  }
});
