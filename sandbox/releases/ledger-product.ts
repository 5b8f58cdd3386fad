/**
 * The accounting system (会计核算系统, BS) as installed on its own simulated host, for a system
 * migration to have something real to move: its files (generated, the same bytes every time) and
 * its own database — the schema version, the chart of accounts and a few hundred journal lines,
 * so that row counts and per-table checksums on both sides of a copy mean something.
 */
import Database from 'better-sqlite3';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { moduleBytes } from './payment-product.ts';

const modules = ['lib/acct-core.jar', 'lib/acct-ledger.jar', 'lib/acct-report.jar'];

/** Every file of the installed version, by path. */
export function ledgerFiles(version: string): Map<string, Buffer> {
  return new Map<string, Buffer>([
    ['VERSION', Buffer.from(`${version}\n`)],
    [
      'bin/start.sh',
      Buffer.from(
        '#!/bin/sh\nexec java -cp "$(cat conf/classpath.txt | tr \'\\n\' :)" cn.jincai.acct.Main\n',
      ),
    ],
    ['conf/classpath.txt', Buffer.from(`${modules.join('\n')}\n`)],
    [
      'conf/application.properties',
      Buffer.from('server.port=9184\nacct.ledger.year=2026\nacct.db.schema=JCZF_ACCT\n'),
    ],
    ...modules.map((m, i) => [m, moduleBytes(m, version, 4096 * (i + 1))] as [string, Buffer]),
  ]);
}

const subjects = [
  ['1001', '库存现金'],
  ['1002', '银行存款'],
  ['1011', '零余额账户用款额度'],
  ['2001', '应付账款'],
  ['3001', '累计盈余'],
  ['4001', '财政拨款收入'],
  ['5001', '业务活动费用'],
  ['5101', '单位管理费用'],
] as const;

/** The accounting database afresh: its schema version, chart of accounts and journal lines. */
export function seedLedgerDatabase(path: string, schemaVersion: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.exec(`
      create table schema_info (version text not null);
      create table acct_subjects (code text primary key, name text not null);
      create table acct_journal (
        id integer primary key, voucher_no text not null, subject_code text not null,
        debit_fen integer not null, credit_fen integer not null, booked_on text not null);
    `);
    db.prepare('insert into schema_info (version) values (?)').run(schemaVersion);
    const subject = db.prepare('insert into acct_subjects (code, name) values (?, ?)');
    for (const [code, name] of subjects) subject.run(code, name);
    const line = db.prepare(
      'insert into acct_journal (voucher_no, subject_code, debit_fen, credit_fen, booked_on) values (?, ?, ?, ?, ?)',
    );
    db.transaction(() => {
      for (let i = 1; i <= 300; i++) {
        const fen = ((i * 7919) % 500_000) + 100;
        const day = `2026-${String(1 + (i % 11)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
        const voucher = `JZ2026${String(i).padStart(5, '0')}`;
        line.run(voucher, '5001', fen, 0, day);
        line.run(voucher, '1011', 0, fen, day);
      }
    })();
  } finally {
    db.close();
  }
}
