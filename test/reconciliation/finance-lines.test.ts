import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { financeSource } from '../../connectors/statements/line-files.ts';
import type { LineSource } from '../../domain/reconciliation/batches.ts';
import type { FinancePosition } from '../../domain/reconciliation/finance-lines.ts';
import { StatementError } from '../../domain/reconciliation/statement-error.ts';
import type { ComparedLine } from '../../domain/reconciliation/statement.ts';

const dir = mkdtempSync(join(tmpdir(), 'jincai-finance-lines-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const extract = [
  'ZZ20261127ABC00000001\t101001\t2050101\t1250000\tpaid',
  'ZZ20261127ABC00000002\t102001\t2080201\t800000\tsent',
  'ZZ20261127ABC00000003\t102001\t2080201\t-30050\taccepted',
  'ZZ20261127ABC00000004\t103001\t2010301\t99\trefunded',
]
  .map((l) => `${l}\n`)
  .join('');

const fields = (l: ComparedLine) => [
  l.key,
  l.voucherNo,
  l.detailId,
  l.budgetUnit,
  l.unitName,
  l.subject,
  l.amounts,
  l.status,
  l.lineNo,
];

async function read(source: LineSource<FinancePosition, ComparedLine>, from?: FinancePosition) {
  const lines: ComparedLine[] = [];
  const positions: FinancePosition[] = [];
  for await (const batch of source(from)) {
    lines.push(...batch.lines);
    if (batch.position) positions.push(batch.position);
  }
  return { lines, positions };
}

describe("the finance extract's lines", () => {
  const file = join(dir, 'finance.lines');
  writeFileSync(file, extract);

  it('gives the merge the lines a normalized file of the vouchers would: key, detail, statement status, line number', async () => {
    const { lines } = await read(financeSource(file, 'payment-detail'));
    assert.deepEqual(lines.map(fields), [
      [
        'ZZ20261127ABC00000001/1',
        'ZZ20261127ABC00000001',
        '1',
        '101001',
        '',
        '2050101',
        [1_250_000],
        'paid',
        1,
      ],
      [
        'ZZ20261127ABC00000002/1',
        'ZZ20261127ABC00000002',
        '1',
        '102001',
        '',
        '2080201',
        [800_000],
        'accepted',
        2,
      ],
      [
        'ZZ20261127ABC00000003/1',
        'ZZ20261127ABC00000003',
        '1',
        '102001',
        '',
        '2080201',
        [-30_050],
        'accepted',
        3,
      ],
      ['ZZ20261127ABC00000004/1', 'ZZ20261127ABC00000004', '1', '103001', '', '2010301', [99], 'refunded', 4],
    ]);
    const payment = await read(financeSource(file, 'payment'));
    assert.deepEqual(
      payment.lines.map((l) => [l.key, l.detailId, l.subject, l.lineNo]),
      lines.map((l) => [l.voucherNo, '', '', l.lineNo]),
    );
  });

  it('resumes after a batch with the lines that follow it, numbered as before', async () => {
    const big = join(dir, 'big.lines');
    const text = extract.repeat(5000);
    writeFileSync(big, text);
    const whole = await read(financeSource(big, 'payment-detail'));
    assert.equal(whole.lines.length, 20_000);
    assert.ok(whole.positions.length > 2, `${whole.positions.length} batches`);
    const from = whole.positions[1] as FinancePosition;
    assert.equal(text.slice(0, from.offset).split('\n').length - 1, from.lineNo);
    const rest = await read(financeSource(big, 'payment-detail'), from);
    assert.deepEqual(rest.lines.map(fields), whole.lines.slice(from.lineNo).map(fields));
  });

  it('names a malformed line, an unknown status and a file cut inside a line', async () => {
    const problem = async (text: string) => {
      const path = join(dir, 'bad.lines');
      writeFileSync(path, text);
      const err = await read(financeSource(path, 'payment-detail')).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof StatementError, String(err));
      return [err.problem, err.lineNo, err.message];
    };
    assert.deepEqual(await problem(`${extract}ZZ1\t101001\t1\tpaid\n`), [
      'malformed',
      5,
      'bad.lines line 5: malformed: 4 fields in "ZZ1\t101001\t1\tpaid"',
    ]);
    assert.deepEqual(await problem('ZZ1\t101001\t2050101\t1\trejected\n'), [
      'malformed',
      1,
      'bad.lines line 1: malformed: voucher status "rejected" is none of sent, accepted, paid, refunded',
    ]);
    assert.deepEqual((await problem(extract.slice(0, -3)))[0], 'truncated');
  });
});
