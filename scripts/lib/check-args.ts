/**
 * `--check-args`, which every command the project offers accepts: the command parses and checks its
 * command line with its own parser — the command, its options and their values — prints what it
 * would do and exits 0 (or 2 on a bad argument, as it always would) without contacting or changing
 * anything; an input it would read from a file is not read. The README's command lines are held to
 * it (test/unit/readme-commands.test.ts).
 */
export const checkArgsFlag = '--check-args';

export interface CommandLine {
  /** The arguments, without `--check-args`. */
  args: string[];
  /** Whether to stop once the arguments are checked. */
  checkOnly: boolean;
}

export function commandLine(argv: string[] = process.argv.slice(2)): CommandLine {
  return { args: argv.filter((a) => a !== checkArgsFlag), checkOnly: argv.includes(checkArgsFlag) };
}

/** What a command under `--check-args` prints once its arguments are good. */
export function argumentsOk(what: string): string {
  return `arguments ok: ${what}`;
}
