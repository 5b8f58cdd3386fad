/**
 * The data converter of every Temporal client and worker: payloads encrypted with the site's
 * payload keys, failure messages and stack traces encoded (and so encrypted) too.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from './payload-codec.ts';
import type { PayloadKeys } from './payload-keys.ts';

/**
 * SDK 1.24 takes the failure converter by module path, so the workflow bundle carries it too; the
 * sibling module as this one runs: `.ts` from source, `.js` compiled (`npm run build`).
 */
export const failureConverterPath = fileURLToPath(
  new URL(`./failure-converter${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

export function createDataConverter(keys: PayloadKeys): DataConverter {
  return { payloadCodecs: [new AesGcmPayloadCodec(keys)], failureConverterPath };
}
