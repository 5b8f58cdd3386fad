/**
 * The data converter of every Temporal client and worker: payloads encrypted with the site's
 * payload keys, failure messages and stack traces encoded (and so encrypted) too.
 */
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from './payload-codec.ts';
import type { PayloadKeys } from './payload-keys.ts';

/**
 * SDK 1.24 takes the failure converter by module path, so the workflow bundle carries it too; the
 * sibling module as this one runs, as node finds it: `.ts` from source (tsx finds it for `.js`),
 * `.js` compiled (`npm run build`, and the tests' build, where `import.meta.url` names the source).
 */
export const failureConverterPath = fileURLToPath(import.meta.resolve('./failure-converter.js'));

export function createDataConverter(keys: PayloadKeys): DataConverter {
  return { payloadCodecs: [new AesGcmPayloadCodec(keys)], failureConverterPath };
}
