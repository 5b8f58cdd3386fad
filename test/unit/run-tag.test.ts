import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runTag } from '../../domain/run-tag.ts';

// Two run ids the server gave runs started 40 ms apart (UUIDv7: the clock first).
const first = '019af7c2-3b10-7c41-9d2e-5a8f0e61b2c7';
const second = '019af7c2-3b38-70d5-8a61-c43be2f9d018';

test('runs started moments apart get tags of their own, each the same on every replay', () => {
  assert.equal(first.slice(0, 8), second.slice(0, 8), 'their first characters are alike');
  assert.notEqual(runTag(first), runTag(second));
  assert.equal(runTag(first), runTag(first));
  assert.match(runTag(first), /^[0-9a-f]{16}$/);
});
