/**
 * How the engine names tables and columns on Oracle. A schema created the usual way holds
 * upper-case names (VOUCHERS.VOUCHER_NO); kysely-oracledb quotes every identifier by default,
 * which asks for lower-case ones ("vouchers"."voucher_no") and finds nothing. `upper` (the
 * default) sends names unquoted, so Oracle folds them to upper case, and turns the upper-case
 * column names of each result row back into the lower-case ones the code reads. `quoted` keeps
 * kysely-oracledb's behaviour, for a schema the engine's own DDL created with quoted names.
 */
import type { KyselyPlugin, QueryResult, UnknownRow } from 'kysely';

export type OracleIdentifiers = 'upper' | 'quoted';

const lowerCaseResultKeys: KyselyPlugin = {
  transformQuery: (args) => args.node,
  transformResult: async (args): Promise<QueryResult<UnknownRow>> => ({
    ...args.result,
    rows: args.result.rows.map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v])),
    ),
  }),
};

export function oracleNaming(identifiers: OracleIdentifiers): {
  compilerOptions: { useNonQuotedIdentifiers: boolean };
  plugins: KyselyPlugin[];
} {
  return identifiers === 'upper'
    ? { compilerOptions: { useNonQuotedIdentifiers: true }, plugins: [lowerCaseResultKeys] }
    : { compilerOptions: { useNonQuotedIdentifiers: false }, plugins: [] };
}
