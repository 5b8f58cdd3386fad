/**
 * The failure converter of every client and worker (loaded by path: the SDK requires it in Node
 * and bundles it into the workflow sandbox). Failure messages and stack traces are moved into an
 * encoded attributes payload, so the payload codec encrypts them like any other payload; history
 * shows only "Encoded failure".
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
