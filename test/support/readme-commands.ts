/**
 * The command lines a README shows — `./jincai …` and `npm run …`, in its bash blocks and inline
 * code — and how to run each so that it changes nothing: with `--check-args` (scripts/lib/check-args.ts),
 * straight, without a shell. Inline code with a placeholder (`<id>`, `…`, `a|b`) is a pattern, not a
 * command line, and is left out.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../temporal.config.ts';

export interface ReadmeCommand {
  /** The line as the README shows it (without its comment). */
  line: string;
  /** Where: `block` (a bash block) or `inline`. */
  where: 'block' | 'inline';
}

const commandStart = /^(?:[A-Z_][A-Z0-9_]*=\S+\s+)*(?:\.\/jincai|npm run)\s/;
const placeholder = /<[^>]*>|…|\|/;

export function readmeCommands(markdown: string): ReadmeCommand[] {
  const found: ReadmeCommand[] = [];
  const prose: string[] = [];
  let block: string | undefined;
  for (const text of markdown.split('\n')) {
    const fence = /^\s*```(\S*)/.exec(text);
    if (fence) {
      block = block === undefined ? fence[1] : undefined;
      continue;
    }
    if (block === undefined) prose.push(text);
    else if (block === 'bash') {
      const line = withoutComment(text).trim();
      if (commandStart.test(line)) found.push({ line, where: 'block' });
    }
  }
  for (const [, code = ''] of prose.join('\n').matchAll(/`([^`]+)`/g)) {
    const line = code.replace(/\s+/g, ' ').trim();
    if (commandStart.test(line) && !placeholder.test(line)) found.push({ line, where: 'inline' });
  }
  return found.filter((c, i) => found.findIndex((d) => d.line === c.line) === i);
}

/** The line up to an unquoted `#` that starts a word. */
function withoutComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) return text.slice(0, i);
  }
  return text;
}

/** Shell words: blanks separate, '…' and "…" quote (a backslash escapes in "…"); anything else a shell would act on is refused. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unclosed ${c}`);
      const quoted = line.slice(i + 1, end);
      word = (word ?? '') + (c === '"' ? quoted.replace(/\\(["\\$`])/g, '$1') : quoted);
      i = end;
    } else if (/[;&|<>$`()\\*?[\]{}~]/.test(c)) {
      throw new Error(`"${c}" would need a shell`);
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

export interface PlannedRun {
  /** The npm script the line runs. */
  script: string;
  env: Record<string, string>;
  /** What to spawn (in the project root): the line's own program and arguments with --check-args. */
  argv: string[];
  /** The line's own arguments to the script. */
  args: string[];
  /**
   * Whether the script gets them as they are: `./jincai X …` runs `npm run --silent X -- …`, and npm
   * hands everything after `--` on untouched; options before it npm may take for itself.
   */
  verbatim: boolean;
}

/** How to run a README line with --check-args; throws when it names no npm script of the project. */
export function planRun(line: string): PlannedRun {
  const words = shellWords(line);
  const env: Record<string, string> = {};
  while (/^[A-Z_][A-Z0-9_]*=/.test(words[0] ?? '')) {
    const [name = '', ...value] = (words.shift() ?? '').split('=');
    env[name] = value.join('=');
  }
  const viaNpm = words[0] === 'npm';
  const script = words[viaNpm ? 2 : 1] ?? '';
  const rest = words.slice(viaNpm ? 3 : 2);
  const args = rest[0] === '--' ? rest.slice(1) : rest;
  if (!Object.hasOwn(packageScripts(), script))
    throw new Error(`no command "${script}" (package.json scripts)`);
  // npm takes options before its `--` for itself; the wrapper passes everything on.
  const checked = viaNpm && rest[0] !== '--' ? [...rest, '--', '--check-args'] : [...rest, '--check-args'];
  const verbatim = !viaNpm || rest.length === 0 || rest[0] === '--';
  return { script, env, args, verbatim, argv: [...words.slice(0, viaNpm ? 3 : 2), ...checked] };
}

/** The entry point (a TypeScript file) the npm script runs, if it runs one of ours. */
export function entryPointOf(script: string): string | undefined {
  return /^tsx (\S+\.ts)$/.exec(packageScripts()[script] ?? '')?.[1];
}

/** Whether an entry point takes --check-args; one that does not is never run by the check, lest it act. */
export function takesCheckArgs(file: string): boolean {
  return /\bcommandLine\(\)/.test(readFileSync(join(projectRoot, file), 'utf8'));
}

export function packageScripts(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  return pkg.scripts;
}
