/**
 * Ends a CLI process once what it printed has reached the reader. `process.exit` drops output
 * still queued for a pipe (anything past the pipe's 64 KiB buffer); a write's callback runs only
 * after every earlier write on that stream has been handed over.
 */
export function exitWhenFlushed(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
