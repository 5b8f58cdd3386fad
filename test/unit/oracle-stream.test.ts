/**
 * Streaming on Oracle (connectors/treasury/oracle-stream.ts). No Oracle server runs here, so the
 * driver is given a connection shaped as kysely-oracledb's (its bind formatting, its oracledb
 * connection) whose result set hands out canned rows; the statement itself is compiled by the
 * Oracle dialect, and read back through the same naming plugin production uses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kysely, type CompiledQuery, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';
import { OracleAdapter, OracleQueryCompiler } from 'kysely-oracledb';
import { oracleNaming } from '../../connectors/sql/oracle-naming.ts';
import { streamingOnOracle, type OracleResultSet } from '../../connectors/treasury/oracle-stream.ts';

const objectRows = 4002;

interface Executed {
  sql: string;
  binds: unknown[];
  options: Record<string, unknown>;
}

function oracleWithRows(rows: Record<string, unknown>[]) {
  const executed: Executed[] = [];
  const fetches: number[] = [];
  let closed = 0;
  const connection = {
    formatQuery: (q: CompiledQuery) => ({
      sql: q.sql,
      bindParams: q.parameters.map((p) => `bound:${String(p)}`),
    }),
    connection: {
      async execute(sql: string, binds: unknown[], options: Record<string, unknown>) {
        executed.push({ sql, binds, options });
        let at = 0;
        const resultSet: OracleResultSet = {
          async getRows(count) {
            fetches.push(count);
            const out = rows.slice(at, at + count);
            at += out.length;
            return out;
          },
          async close() {
            closed += 1;
          },
        };
        return { resultSet };
      },
    },
    executeQuery: async <R>(): Promise<QueryResult<R>> => ({ rows: [] }),
    // eslint-disable-next-line require-yield -- replaced by the driver under test, as kysely-oracledb's is
    async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
      throw new Error('Not implemented');
    },
  };
  const plain: Driver = {
    init: async () => undefined,
    acquireConnection: async () => connection as DatabaseConnection,
    beginTransaction: async () => undefined,
    commitTransaction: async () => undefined,
    rollbackTransaction: async () => undefined,
    releaseConnection: async () => undefined,
    destroy: async () => undefined,
  };
  const fetchTypeHandler = () => undefined;
  const naming = oracleNaming('upper');
  const driver = streamingOnOracle(plain, { fetchTypeHandler }, objectRows);
  const db = new Kysely<{ vouchers: { voucher_no: string; amount_fen: number; bank_code: string } }>({
    plugins: naming.plugins,
    dialect: {
      createAdapter: () => new OracleAdapter(),
      createDriver: () => driver,
      createQueryCompiler: () => new OracleQueryCompiler(naming.compilerOptions),
      createIntrospector: () => {
        throw new Error('not used');
      },
    },
  });
  return { db, executed, fetches, closed: () => closed, fetchTypeHandler };
}

const upperRows = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    VOUCHER_NO: `V${String(i).padStart(3, '0')}`,
    AMOUNT_FEN: i * 100,
  }));

describe('streaming reads on Oracle', () => {
  it('one statement with a result set, its rows fetched a chunk at a time, in order, names as the code has them', async () => {
    const oracle = oracleWithRows(upperRows(7));
    const read: { voucher_no: string; amount_fen: number }[] = [];
    const query = oracle.db
      .selectFrom('vouchers')
      .select(['voucher_no', 'amount_fen'])
      .where('bank_code', '=', 'ICBC')
      .orderBy('voucher_no');
    for await (const row of query.stream(3)) read.push(row);

    assert.deepEqual(
      read.map((r) => r.voucher_no),
      ['V000', 'V001', 'V002', 'V003', 'V004', 'V005', 'V006'],
    );
    assert.equal(read[6]?.amount_fen, 600);
    assert.equal(oracle.executed.length, 1);
    const [statement] = oracle.executed;
    assert.match(
      statement?.sql ?? '',
      /^select voucher_no, amount_fen from vouchers where bank_code = :1 order by voucher_no$/,
    );
    assert.deepEqual(statement?.binds, ['bound:ICBC'], 'the binds as the dialect formats them');
    assert.equal(statement?.options.resultSet, true);
    assert.equal(statement?.options.fetchArraySize, 3);
    assert.equal(statement?.options.outFormat, objectRows);
    assert.equal(
      statement?.options.fetchTypeHandler,
      oracle.fetchTypeHandler,
      "the dialect's CLOB handler kept",
    );
    assert.deepEqual(oracle.fetches, [3, 3, 3], 'a short chunk ends the read');
    assert.equal(oracle.closed(), 1);
  });

  it('a read that fills its last chunk exactly asks once more and stops at the empty one', async () => {
    const oracle = oracleWithRows(upperRows(6));
    let n = 0;
    for await (const _ of oracle.db.selectFrom('vouchers').select('voucher_no').stream(3)) n += 1;
    assert.equal(n, 6);
    assert.deepEqual(oracle.fetches, [3, 3, 3]);
    assert.equal(oracle.closed(), 1);
  });

  it('a reader that stops early closes the result set', async () => {
    const oracle = oracleWithRows(upperRows(50));
    for await (const row of oracle.db.selectFrom('vouchers').select('voucher_no').stream(10)) {
      if (row.voucher_no === 'V012') break;
    }
    assert.deepEqual(oracle.fetches, [10, 10]);
    assert.equal(oracle.closed(), 1);
  });
});
