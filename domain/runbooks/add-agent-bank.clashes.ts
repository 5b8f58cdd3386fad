/**
 * What a new agent bank must not collide with in the estate — its code, queue manager, channels,
 * transmission queue or front end — and its programs' pid files, which must lie in the site's
 * folders. Each problem names the input field, as bad input must. Pure.
 */
import type { AddAgentBankParsed, EstateBanks } from './add-agent-bank.types.ts';
import { confinedPathProblems } from './input-estate.ts';

export function clashProblems(input: AddAgentBankParsed, known: EstateBanks): string[] {
  const problems: string[] = [];
  for (const b of known.banks) {
    if (b.code === input.code) {
      problems.push(
        `input.code: bank code "${input.code}" is already in the estate (${b.name}); expected a new code`,
      );
      continue;
    }
    if (b.qmgr === input.qmgr)
      problems.push(`input.qmgr: ${input.qmgr} is already the queue manager of ${b.code}`);
    for (const [field, value] of [
      ['senderChannel', input.senderChannel],
      ['receiverChannel', input.receiverChannel],
    ] as const) {
      if (value === b.senderChannel || value === b.receiverChannel)
        problems.push(`input.${field}: channel ${value} already belongs to ${b.code}`);
    }
    if (input.xmitq === b.xmitq)
      problems.push(`input.xmitq: ${input.xmitq} is already the transmission queue of ${b.code}`);
    if (b.frontEnd.host === input.frontEnd.host && b.frontEnd.port === input.frontEnd.port)
      problems.push(
        `input.frontEnd.port: ${input.frontEnd.host}:${input.frontEnd.port} is already the front end of ${b.code}`,
      );
  }
  input.programs.forEach((p, i) => {
    if ('pidFile' in p)
      problems.push(...confinedPathProblems(`input.programs[${i}].pidFile`, p.pidFile, known.pidDirs));
  });
  if (input.qmgr === known.financeQmgr)
    problems.push(`input.qmgr: ${input.qmgr} is finance's own queue manager`);
  if (input.xmitq === known.financeQmgr)
    problems.push(`input.xmitq: ${input.xmitq} is finance's own queue manager`);
  return problems;
}
