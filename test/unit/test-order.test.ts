// The order the test run starts its files in: the longest first, the rest in their own order after.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inStartOrder } from '../../scripts/lib/test-order.ts';

describe('test start order', () => {
  it('starts the longest files first, longest first, then the slow kinds, then the rest as found', () => {
    const found = [
      '/p/test/unit/catalog.test.ts',
      '/p/test/integration/add-agent-bank-crash.test.ts',
      '/p/test/integration/channel-recovery.test.ts',
      '/p/test/integration/year-end-rollover-crash.test.ts',
      '/p/test/unit/cli-output.test.ts',
      '/p/test/integration/system-migration-crash.test.ts',
    ];
    assert.deepEqual(inStartOrder(found), [
      '/p/test/integration/system-migration-crash.test.ts',
      '/p/test/integration/year-end-rollover-crash.test.ts',
      '/p/test/integration/add-agent-bank-crash.test.ts',
      '/p/test/integration/channel-recovery.test.ts',
      '/p/test/unit/catalog.test.ts',
      '/p/test/unit/cli-output.test.ts',
    ]);
  });
});
