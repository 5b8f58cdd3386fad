/**
 * Payload keys for tests: `npm test` sets JINCAI_PAYLOAD_KEYS for the run; a file run on its own
 * gets a fresh key here, in process.env, so its in-process workers, clients and child processes
 * all agree.
 */
import type { DataConverter } from '@temporalio/common';
import { createDataConverter } from '../../connectors/codec/data-converter.ts';
import {
  defaultPayloadKeysEnv,
  generatePayloadKeys,
  payloadKeysFromEnv,
  type PayloadKeys,
} from '../../connectors/codec/payload-keys.ts';

export function testPayloadKeys(): PayloadKeys {
  process.env[defaultPayloadKeysEnv] ||= generatePayloadKeys('test');
  return payloadKeysFromEnv(defaultPayloadKeysEnv);
}

export function testDataConverter(): DataConverter {
  return createDataConverter(testPayloadKeys());
}
