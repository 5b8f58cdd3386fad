/**
 * What can be wrong with a statement as a whole, named as such rather than reported as a
 * thousand differences: a broken encoding, a truncated file, a missing package, a line that is
 * not a line of this format, packages that disagree with each other.
 */
export const statementProblems = [
  'encoding',
  'truncated',
  'incomplete',
  'malformed',
  'inconsistent',
] as const;
export type StatementProblem = (typeof statementProblems)[number];

export class StatementError extends Error {
  constructor(
    readonly problem: StatementProblem,
    /** The file or package, as the exchange names it. */
    readonly source: string,
    message: string,
    /** Where: the line (text) or detail (XML) number, when known. */
    readonly lineNo?: number,
  ) {
    super(`${source}${lineNo === undefined ? '' : ` line ${lineNo}`}: ${problem}: ${message}`);
    this.name = 'StatementError';
  }
}
