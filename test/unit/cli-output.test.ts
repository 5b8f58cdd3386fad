import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../../temporal.config.ts';

const fixture = fileURLToPath(new URL('./fixtures/print-and-exit.ts', import.meta.url));

/** Runs the fixture with its output through a pipe, as `./jincai runbook … | less` would read it. */
function runPiped(lines: number): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, String(lines)], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  return new Promise((done) => child.once('close', (code) => done({ code, stdout })));
}

test('a CLI ends only once its output has reached the reader (well past a pipe’s 64 KiB)', async () => {
  const run = await runPiped(5000);
  assert.equal(run.code, 3);
  const lines = run.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 5000, `${run.stdout.length} bytes arrived`);
  assert.match(lines.at(-1) ?? '', /^line 4999 /);
});

test('the operator CLI ends that way, never with process.exit', () => {
  const source = readFileSync(fileURLToPath(new URL('../../scripts/runbook.ts', import.meta.url)), 'utf8');
  assert.doesNotMatch(source, /process\.exit\(/);
  assert.match(source, /exitWhenFlushed/);
});
