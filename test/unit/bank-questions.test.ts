/**
 * Filing questions for a bank while another process writes the same table, on a real SQLite
 * file: the send/receive program commits between the activity's look and its write, and the same
 * question is filed by a second attempt of the activity still running. Every question ends up
 * filed once, nothing fails. Then the answers as the program files them, read back.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { InsertQueryNode, SelectQueryNode, type CompiledQuery, type KyselyPlugin } from 'kysely';
import { createBankQuestionActivities } from '../../activities/bank-questions.ts';
import { openSqlite, type TreasuryDb } from '../../connectors/treasury/database.ts';
import { createTreasurySchema } from '../../connectors/treasury/migrations.ts';
import { questionFor, queryPrefix, statusQueryBody, type BankSubject } from '../../domain/bank-questions.ts';
import { defaultSiteFile, parseSite } from '../../temporal.config.ts';

const site = parseSite(
  readFileSync(defaultSiteFile, 'utf8').replace(/^addedBanksDir: .*\n/m, ''),
  defaultSiteFile,
);
const at = '2026-11-27T08:00:00.000Z';

describe('asking a bank on SQLite while the send/receive program writes', () => {
  let dir: string;
  let db: TreasuryDb;
  let program: Database.Database;
  /** Runs once, just before the activity's next INSERT into bank_queries is sent. */
  let beforeInsert: (() => void) | undefined;
  const interleave: KyselyPlugin = {
    transformQuery({ node }) {
      if (InsertQueryNode.is(node) && node.into?.table.identifier.name === 'bank_queries') {
        const run = beforeInsert;
        beforeInsert = undefined;
        run?.();
      }
      return node;
    },
    transformResult: async ({ result }) => result,
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jincai-bank-questions-'));
    const file = join(dir, 'treasury.db');
    const setup = await openSqlite(file);
    await createTreasurySchema(setup);
    await setup.destroy();
    db = (await openSqlite(file)).withPlugin(interleave);
    program = new Database(file);
    program.pragma('busy_timeout = 5000');
  });
  after(async () => {
    program.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const file = (q: ReturnType<typeof questionFor>, bank: string) =>
    program
      .prepare(
        `INSERT INTO bank_queries (query_id, bank_code, subject, ref_no, body, status, requested_at)
         VALUES (?, ?, ?, ?, ?, 'pending_send', ?)`,
      )
      .run(q.queryId, bank, q.subject, 'x', statusQueryBody(q), at);

  it('files every question once when the program commits, and a second attempt files the same question, in between', async () => {
    const acts = createBankQuestionActivities({ db, site, now: () => new Date(at) });
    const prefix = queryPrefix('void-status-check/ICBC/2026-11-27', 'voids');
    const subjects: BankSubject[] = [
      { subject: 'voucher', voucherNo: '4201000001' },
      { subject: 'voucher', voucherNo: '4201000002' },
      { subject: 'report', reportKind: 'daily_report', reportDate: '2026-11-26' },
      { subject: 'refund', refundNo: 'RF-1' },
    ];
    const questions = subjects.map((s) => questionFor(prefix, s));
    const [first] = questions;
    assert.ok(first);
    beforeInsert = () => {
      // The program files another run's question, and an earlier attempt of this activity
      // files the first question, both committed after the activity began.
      file(questionFor(queryPrefix('other-run', 'voids'), subjects[0] as BankSubject), 'ICBC');
      file(first, 'ICBC');
    };
    const filed = await acts.askBank({ bank: 'ICBC', questions });
    assert.equal(beforeInsert, undefined, 'the program wrote before the activity filed');
    assert.deepEqual(filed, { filed: questions.length - 1 });
    const rows = program
      .prepare(
        `SELECT query_id, subject, ref_no, status FROM bank_queries WHERE query_id LIKE ? ORDER BY ref_no`,
      )
      .all(`${prefix}%`) as { query_id: string; subject: string; ref_no: string; status: string }[];
    assert.equal(rows.length, questions.length);
    assert.deepEqual(rows.map((r) => r.ref_no).sort(), [
      '4201000002',
      'RF-1',
      'daily_report:2026-11-26',
      'x',
    ]);

    // Asked again (a retry after a lost reply): nothing new.
    assert.deepEqual(await acts.askBank({ bank: 'ICBC', questions }), { filed: 0 });
  });

  it('counts and reads the answers the program filed, as the one answer type', async () => {
    const acts = createBankQuestionActivities({ db, site, now: () => new Date(at) });
    const prefix = queryPrefix('sequence-resync/CZ.TO.ABC/2026-11-27', 'serials');
    const [asked, unanswered, garbled] = (['V1', 'V2', 'V3'] as const).map((voucherNo) =>
      questionFor(prefix, { subject: 'voucher', voucherNo }),
    );
    assert.ok(asked && unanswered && garbled);
    await acts.askBank({ bank: 'ABC', questions: [asked, unanswered, garbled] });
    const answer = program.prepare(
      `UPDATE bank_queries SET status = ?, sent_at = ?, answered_at = ?, answer = ? WHERE query_id = ?`,
    );
    answer.run(
      'answered',
      at,
      at,
      JSON.stringify({
        voucherNo: 'V1',
        known: false,
        lastSerialAccepted: 41,
        queryId: asked.queryId,
        extra: 1,
      }),
      asked.queryId,
    );
    answer.run('sent', at, null, null, unanswered.queryId);
    answer.run('answered', at, at, '{"known": "perhaps"}', garbled.queryId);
    assert.deepEqual(await acts.countAnswers({ bank: 'ABC', prefix }), { filed: 3, sent: 3, answered: 2 });
    assert.deepEqual(await acts.readAnswers({ bank: 'ABC', prefix }), [
      { queryId: asked.queryId, answeredAt: at, voucherNo: 'V1', known: false, lastSerialAccepted: 41 },
    ]);
    assert.deepEqual(await acts.readAnswers({ bank: 'ICBC', prefix }), []);
  });

  it("finds a run's questions by the range of their ids, not by scanning the bank's", async () => {
    const reads: CompiledQuery[] = [];
    const capture: KyselyPlugin = {
      transformQuery({ node, queryId }) {
        if (SelectQueryNode.is(node)) reads.push(db.getExecutor().compileQuery(node, queryId));
        return node;
      },
      transformResult: async ({ result }) => result,
    };
    const acts = createBankQuestionActivities({ db: db.withPlugin(capture), site, now: () => new Date(at) });
    const prefix = queryPrefix('voucher-resend/ICBC/2026-11-27', 'diagnose');
    await acts.countAnswers({ bank: 'ICBC', prefix });
    await acts.readAnswers({ bank: 'ICBC', prefix });
    assert.equal(reads.length, 2);
    for (const read of reads) {
      const plan = program
        .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${read.sql}`)
        .all(...read.parameters)
        .map((r) => r.detail);
      assert.ok(
        plan.some((d) =>
          /USING INDEX sqlite_autoindex_bank_queries_1 \(query_id>\? AND query_id<\?\)/.test(d),
        ),
        `${read.sql}: ${plan.join('; ')}`,
      );
    }
  });

  it('refuses a bank the estate does not have, before filing anything', async () => {
    const acts = createBankQuestionActivities({ db, site, now: () => new Date(at) });
    const q = questionFor(queryPrefix('x', 'y'), { subject: 'voucher', voucherNo: 'V9' });
    await assert.rejects(acts.askBank({ bank: 'NOPE', questions: [q] }), /NOPE/);
    const count = program.prepare('SELECT count(*) AS n FROM bank_queries WHERE query_id = ?');
    assert.deepEqual(count.get(q.queryId), { n: 0 });
  });
});
