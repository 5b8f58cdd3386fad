import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { statementSource } from '../../connectors/statements/line-files.ts';
import { parseXmlPackage } from '../../domain/reconciliation/parse-xml.ts';
import { scanXmlPackage } from '../../domain/reconciliation/scan-xml.ts';
import { Unusual } from '../../domain/reconciliation/xml-text.ts';
import { StatementError } from '../../domain/reconciliation/statement-error.ts';
import { type StatementHeader, type StatementLine } from '../../domain/reconciliation/statement.ts';
import { xmlPackage } from '../../domain/reconciliation/write-xml.ts';
import { bankDay } from '../../sandbox/statements/bank-day.ts';
import { fixture, format, readAll, writeDay } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'jincai-parsers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const problemOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (err) {
    if (err instanceof StatementError)
      return { problem: err.problem, lineNo: err.lineNo, message: err.message };
    throw err;
  }
  return undefined;
};

describe('hand-written statements', () => {
  it('reads a fixed-width GBK payment-detail file with CRLF lines, byte widths and its trailer', async () => {
    const source = statementSource('payment-detail', format({ format: 'fixed', encoding: 'GBK' }), [
      fixture('ABC_payment-detail_20261127.txt'),
    ]);
    const { lines, totals } = await readAll(source);
    assert.deepEqual(
      lines.map((l) => [l.key, l.unitName, l.amounts[0], l.status, l.payType]),
      [
        ['ZZ20261127ABC00000001/1', '县教育局', 1_250_000, 'paid', '1'],
        ['ZZ20261127ABC00000001/2', '县教育局', 30_050, 'paid', '1'],
        ['ZZ20261127ABC00000002/1', '县卫生健康局', 800_000, 'accepted', '2'],
        ['ZZ20261127ABC00000003/1', '县第一中学（本级）', 99, 'refunded', '1'],
      ],
    );
    assert.equal(totals?.header.statementNo, 'DZ20261127ABCD');
    assert.equal(totals?.header.clearingAccount, '622848001122334455');
    assert.deepEqual(totals?.declared, { count: 4, amountFen: 2_080_149 });
    assert.deepEqual(totals?.counted, totals?.declared);
  });

  it('reads a GBK unit name of two-byte characters when asked, and one with other bytes at once, to what the decoder reads', async () => {
    const path = join(dir, 'ABC_payment_20261128.txt');
    const ascii = (text: string, width: number, right = false) =>
      Buffer.from(right ? text.padStart(width) : text.padEnd(width), 'latin1');
    // 县 (CF D8) and 教育局; then 县 and the euro sign, GBK's one single byte above 0x7F (0x80).
    const twoByte = Buffer.from([0xcf, 0xd8, 0xbd, 0xcc, 0xd3, 0xfd, 0xbe, 0xd6]);
    const withEuro = Buffer.from([0xcf, 0xd8, 0x80]);
    const detail = (voucherNo: string, name: Buffer, amount: string) =>
      Buffer.concat([
        ascii(`D${voucherNo}`, 25),
        ascii('101001', 15),
        name,
        ascii('', 40 - name.length),
        ascii('1', 2),
        ascii(amount, 18, true),
        ascii('1', 1),
        ascii('\r\n', 2),
      ]);
    writeFileSync(
      path,
      Buffer.concat([
        ascii('H33010220262302DZ20261128ABCP      622848001122334455              2026112820261128\r\n', 0),
        detail('ZZ20261128ABC00000001', twoByte, '45.00'),
        detail('ZZ20261128ABC00000002', withEuro, '1.50'),
        ascii(`T${'2'.padStart(12)}${'46.50'.padStart(18)}\r\n`, 0),
      ]),
    );
    const { lines, totals } = await readAll(
      statementSource('payment', format({ format: 'fixed', encoding: 'GBK' }), [path]),
    );
    assert.deepEqual(
      lines.map((l) => [l.key, l.unitName, l.amounts[0]]),
      [
        ['ZZ20261128ABC00000001', '县教育局', 4_500],
        ['ZZ20261128ABC00000002', '县€', 150],
      ],
    );
    assert.deepEqual(totals?.counted, totals?.declared);
  });

  it('reads a delimited UTF-8 payment file', async () => {
    const source = statementSource('payment', format({ format: 'delimited' }), [
      fixture('BOC_payment_20261127.txt'),
    ]);
    const { lines, totals } = await readAll(source);
    assert.deepEqual(
      lines.map((l) => [l.key, l.budgetUnit, l.unitName, l.amounts[0], l.status]),
      [
        ['ZZ20261127BOC00000001', '101001', '县教育局', 450_000, 'paid'],
        ['ZZ20261127BOC00000002', '101004', '县公安局', 12_030, 'paid'],
        ['ZZ20261127BOC00000003', '101005', '县农业农村局', 7_700, 'accepted'],
      ],
    );
    assert.deepEqual(totals?.declared, { count: 3, amountFen: 469_730 });
    assert.deepEqual(totals?.counted, totals?.declared);
  });

  it('reads lines outside the compact form field by field, to the same values', async () => {
    const path = join(dir, 'BOC_payment_20261128.txt');
    writeFileSync(
      path,
      [
        'H|330102|2026|2302|DZ20261128BOCP|104100000123|20261128|20261128',
        'D|ZZ20261128BOC00000001|101001|县教育局|1|4500.00|1',
        // Fourteen digits before the point: read by the field parser (fenOf), not the compact reader.
        'D|ZZ20261128BOC00000002|101004|县公安局|2|12345678901234.56|1',
        'D|ZZ20261128BOC00000003||A|1|-0.50|2',
        'T|3|12345678905734.06',
        '',
      ].join('\n'),
    );
    const { lines, totals } = await readAll(
      statementSource('payment', format({ format: 'delimited' }), [path]),
    );
    assert.deepEqual(
      lines.map((l) => [
        l.key,
        l.voucherNo,
        l.budgetUnit,
        l.unitName,
        l.payType,
        l.amounts,
        l.status,
        l.lineNo,
      ]),
      [
        ['ZZ20261128BOC00000001', 'ZZ20261128BOC00000001', '101001', '县教育局', '1', [450_000], 'paid', 2],
        [
          'ZZ20261128BOC00000002',
          'ZZ20261128BOC00000002',
          '101004',
          '县公安局',
          '2',
          [1_234_567_890_123_456],
          'paid',
          3,
        ],
        ['ZZ20261128BOC00000003', 'ZZ20261128BOC00000003', '', 'A', '1', [-50], 'refunded', 4],
      ],
    );
    assert.deepEqual(totals?.counted, totals?.declared);
  });

  it('reads XML packages in order, with entities, CDATA and comments, and checks AllNum/AllAmt over all packages', async () => {
    const source = statementSource('payment-detail', format({ format: 'xml' }), [
      fixture('ICBC_payment-detail_20261127_1of2.xml'),
      fixture('ICBC_payment-detail_20261127_2of2.xml'),
    ]);
    const { lines, totals } = await readAll(source);
    assert.deepEqual(
      lines.map((l) => [l.key, l.unitName, l.amounts[0], l.status, l.lineNo]),
      [
        ['ZZ20261127ICBC00000001/1', '县教育局 & 县体育局', 100_000, 'paid', 1],
        ['ZZ20261127ICBC00000002/1', '县卫生健康局', 20_000, 'paid', 2],
        ['ZZ20261127ICBC00000003/1', '县第一中学', 3_457, 'refunded', 3],
      ],
    );
    assert.equal(totals?.header.childPackNum, 2);
    assert.deepEqual(totals?.declared, { count: 3, amountFen: 123_457 });
    assert.deepEqual(totals?.counted, totals?.declared);
  });

  it('reads a GBK XML quota statement with its four amounts', async () => {
    const source = statementSource('quota', format({ format: 'xml', encoding: 'GBK' }), [
      fixture('CCB_quota_20261127_1of1.xml'),
    ]);
    const { lines, totals } = await readAll(source);
    assert.deepEqual(
      lines.map((l) => [l.key, l.unitName, l.amounts]),
      [
        ['101001/2050201', '县教育局', [10_000_000, 4_000_000, 50_000, 6_050_000]],
        ['101002/2100101', '县卫生健康局', [5_000_000, 0, 0, 5_000_000]],
      ],
    );
    assert.equal(totals?.header.beginDate, '2026-11-01');
  });

  it('refuses packages out of step: a package missing in the middle is incomplete, not garbage', async () => {
    const source = statementSource('payment-detail', format({ format: 'xml' }), [
      fixture('ICBC_payment-detail_20261127_2of2.xml'),
    ]);
    const found = await problemOf(readAll(source));
    assert.equal(found?.problem, 'inconsistent');
    assert.match(found?.message ?? '', /CurPackNo is 2 where package 1 was expected/);
    const onlyFirst = statementSource('payment-detail', format({ format: 'xml' }), [
      fixture('ICBC_payment-detail_20261127_1of2.xml'),
    ]);
    assert.equal((await problemOf(readAll(onlyFirst)))?.problem, 'incomplete');
  });

  it('names a statement of the wrong kind', async () => {
    const source = statementSource('payment', format({ format: 'fixed', encoding: 'GBK' }), [
      fixture('ABC_payment-detail_20261127.txt'),
    ]);
    const found = await problemOf(readAll(source));
    assert.equal(found?.problem, 'inconsistent');
    assert.match(found?.message ?? '', /not a payment statement/);
  });
});

describe('statements the sandbox writes, broken as a bank or a transfer breaks them', () => {
  const cases = [
    ['fixed-width GBK', format({ format: 'fixed', encoding: 'GBK' })],
    ['delimited UTF-8', format({ format: 'delimited' })],
    ['XML GBK in packages', format({ format: 'xml', encoding: 'GBK', packageLines: 40 })],
  ] as const;
  for (const [name, f] of cases) {
    it(`${name}: reads back what was written, totals agreeing`, async () => {
      const day = await writeDay(join(dir, `${name}-clean`), { lines: 300, format: f });
      const { lines, totals } = await readAll(statementSource(day.kind, f, day.statementFiles));
      assert.equal(lines.length, 300);
      assert.deepEqual(totals?.counted, totals?.declared);
      assert.equal(day.statementFiles.length, f.format === 'xml' ? 8 : 1);
    });

    it(`${name}: a broken byte is a broken encoding, named with its line`, async () => {
      const day = await writeDay(join(dir, `${name}-encoding`), {
        lines: 300,
        format: f,
        faults: { brokenEncoding: true },
      });
      const found = await problemOf(readAll(statementSource(day.kind, f, day.statementFiles)));
      assert.equal(found?.problem, 'encoding');
      if (f.format !== 'xml') assert.equal(found?.lineNo, 151, 'header line + the 150th detail');
    });

    it(`${name}: a file cut short is truncated`, async () => {
      const day = await writeDay(join(dir, `${name}-truncated`), {
        lines: 300,
        format: f,
        faults: { truncate: true },
      });
      assert.equal(
        (await problemOf(readAll(statementSource(day.kind, f, day.statementFiles))))?.problem,
        'truncated',
      );
    });

    it(`${name}: totals that disagree with the lines are reported, not thrown`, async () => {
      const day = await writeDay(join(dir, `${name}-totals`), {
        lines: 300,
        format: f,
        faults: { wrongTotals: true },
      });
      const { totals } = await readAll(statementSource(day.kind, f, day.statementFiles));
      assert.deepEqual(totals?.declared, { count: 301, amountFen: (totals?.counted.amountFen ?? 0) + 100 });
      assert.equal(totals?.counted.count, 300);
    });
  }

  it('UTF-8 text in a file declared GBK is named as such', async () => {
    const utf8 = format({ format: 'fixed', encoding: 'UTF-8' });
    const day = await writeDay(join(dir, 'utf8-as-gbk'), { lines: 10, format: utf8 });
    const found = await problemOf(
      readAll(statementSource(day.kind, format({ format: 'fixed', encoding: 'GBK' }), day.statementFiles)),
    );
    assert.equal(found?.problem, 'encoding');
    assert.match(found?.message ?? '', /UTF-8 text in a file declared GBK/);
  });
});

describe('XML packages of the plain shape, read fast', () => {
  const kind = 'payment-detail';
  const plainBytes = (encoding: 'UTF-8' | 'GBK') => {
    const day = bankDay({ kind, bank: 'ICBC', date: '2026-11-27', lines: 300, seed: 11 });
    const header = {
      kind,
      divisionCode: '330102',
      fiscalYear: 2026,
      statementNo: 'DZ20261127ICBCX',
      clearingAccount: '1202020109000012345',
      beginDate: '2026-11-27',
      endDate: '2026-11-27',
      allNum: 300,
      allAmtFen: day.bankTotals().amountFen,
      childPackNum: 1,
      curPackNo: 1,
    } as const;
    return xmlPackage(header, [...day.bankLines()], encoding);
  };
  const plain = () => plainBytes('UTF-8').toString('utf8');
  /** The package's text in chunks of 1 KB, as a file is read. */
  const read = async (text: string) => readBytes(Buffer.from(text, 'utf8'));
  const readBytes = async (bytes: Buffer, chunk = 1024) => {
    const pkg = {
      name: 'ICBC_payment-detail_20261127_1of1.xml',
      async *open() {
        for (let at = 0; at < bytes.length; at += chunk) yield bytes.subarray(at, at + chunk);
      },
    };
    const lines: StatementLine[] = [];
    let header: StatementHeader | undefined;
    for await (const batch of parseXmlPackage(pkg, kind, 1)) {
      lines.push(...batch.lines);
      header = batch.totals?.header ?? header;
    }
    return { lines: lines.map(fields), header };
  };
  /** A line's fields as values (the fast reader's lines cut most of them when asked). */
  const fields = (l: StatementLine) => ({
    key: l.key,
    voucherNo: l.voucherNo,
    detailId: l.detailId,
    budgetUnit: l.budgetUnit,
    unitName: l.unitName,
    fundType: l.fundType,
    subject: l.subject,
    payType: l.payType,
    amounts: l.amounts,
    status: l.status,
    lineNo: l.lineNo,
  });
  /** Whether the fast reader takes the whole package (it hands the conformant parser what it does not). */
  const takenFast = async (bytes: Buffer, encoding: 'UTF-8' | 'GBK' = 'UTF-8', chunk = 1024) => {
    const chunks = async function* () {
      for (let at = 0; at < bytes.length; at += chunk) yield bytes.subarray(at, at + chunk);
    };
    try {
      for await (const _ of scanXmlPackage(chunks(), { kind, firstLineNo: 1, encodingOf: () => encoding }));
      return true;
    } catch (err) {
      if (err instanceof Unusual) return false;
      throw err;
    }
  };
  /** The package with a comment before its root: the conformant parser reads all of it. */
  const commented = (bytes: Buffer) =>
    Buffer.from(bytes.toString('latin1').replace('\n<MOF>', '\n<!-- x -->\n<MOF>'), 'latin1');
  const nthDetail = (text: string, n: number) => {
    let at = -1;
    for (let i = 0; i < n; i++) at = text.indexOf('<Detail>', at + 1);
    return at;
  };

  it('reads what the conformant parser reads: the same lines and head', async () => {
    const text = plain();
    // A comment before the root hands the whole package to the conformant parser.
    const conformant = await read(text.replace('\n<MOF>', '\n<!-- 对账单 -->\n<MOF>'));
    const fast = await read(text);
    assert.equal(fast.lines.length, 300);
    assert.deepEqual(fast, conformant);
  });

  it('decodes the predefined entities and character references itself, as the conformant parser does', async () => {
    const text = plain();
    const at = text.indexOf('<AgencyName>') + '<AgencyName>'.length;
    const refs = `${text.slice(0, at)}&#32;A&amp;B&lt;C&gt;&quot;&apos;&#20013;&#x56FD;${text.slice(text.indexOf('</AgencyName>', at))}`;
    const chunks = async function* () {
      yield Buffer.from(refs, 'utf8');
    };
    const scan = scanXmlPackage(chunks(), { kind, firstLineNo: 1, encodingOf: () => 'UTF-8' });
    const names: string[] = [];
    for await (const lines of scan) names.push(...lines.map((l) => l.unitName));
    assert.equal(names.length, 300);
    assert.equal(names[0], 'A&B<C>"\'中国');
    const fast = await read(refs);
    assert.deepEqual(fast, await read(refs.replace('\n<MOF>', '\n<!-- 对账单 -->\n<MOF>')));
    assert.equal(fast.lines[0]?.unitName, 'A&B<C>"\'中国');
  });

  it('hands a package over mid-way at what it does not take, each line read once', async () => {
    const text = plain();
    const at = nthDetail(text, 250);
    const mixed = `${text.slice(0, at)}<!-- 补录 --><![CDATA[]]>${text.slice(at)}`;
    assert.deepEqual(await read(mixed), await read(text));
  });

  it('leaves a line it would refuse to the conformant parser, which names it', async () => {
    const text = plain();
    const at = text.indexOf('<PayAmt>', nthDetail(text, 250));
    const broken = `${text.slice(0, at)}<PayAmt>12,0${text.slice(at + '<PayAmt>'.length + 1)}`;
    const found = await problemOf(read(broken));
    assert.equal(found?.problem, 'malformed');
    assert.equal(found?.lineNo, 250);
  });
  it('reads a GBK package fast, its unit names decoded when asked, as the conformant parser reads them', async () => {
    const bytes = plainBytes('GBK');
    assert.equal(await takenFast(bytes, 'GBK'), true);
    const fast = await readBytes(bytes);
    assert.equal(fast.lines.length, 300);
    assert.match(fast.lines[0]?.unitName ?? '', /^县/);
    assert.deepEqual(fast, await readBytes(commented(bytes)));
  });

  it('reads a package cut into chunks anywhere — in the head, a tag, a character — to the same lines', async () => {
    for (const encoding of ['UTF-8', 'GBK'] as const) {
      const bytes = plainBytes(encoding);
      const whole = await readBytes(bytes, bytes.length);
      assert.equal(whole.lines.length, 300);
      // The first chunk holds the declaration (its first 100 bytes name the encoding).
      for (const chunk of [101, 331, 997]) {
        assert.equal(await takenFast(bytes, encoding, chunk), true, `${encoding}, ${chunk}: read fast`);
        assert.deepEqual(await readBytes(bytes, chunk), whole, `${encoding}, ${chunk}`);
      }
    }
  });

  it('leaves a detail longer than a MiB to the conformant parser rather than carry it chunk after chunk', async () => {
    const text = plain();
    const at = text.indexOf('</AgencyName>', nthDetail(text, 100));
    const long = Buffer.from(`${text.slice(0, at)}${'局'.repeat(400_000)}${text.slice(at)}`);
    // Read as a file is, 64 KiB at a time.
    assert.equal(await takenFast(long, 'UTF-8', 1 << 16), false);
    const fast = await readBytes(long, 1 << 16);
    assert.deepEqual(fast, await readBytes(commented(long), 1 << 16));
    assert.equal(fast.lines[99]?.unitName.length, (await read(text)).lines[99]!.unitName.length + 400_000);
  });

  it('reads details indented and in another order as the conformant parser does', async () => {
    const text = plain();
    const at = nthDetail(text, 2);
    const end = text.indexOf('</Detail>', at);
    const detail = text.slice(at, end);
    // The second detail's amount first, every element on a line of its own.
    const amount = /<PayAmt>[^<]*<\/PayAmt>/.exec(detail)?.[0] ?? '';
    const moved = detail
      .replace(amount, '')
      .replace('<Detail>', `<Detail>\n  ${amount}`)
      .replaceAll('><', '>\n  <');
    const indented = `${text.slice(0, at)}${moved}\n${text.slice(end)}`;
    assert.equal(await takenFast(Buffer.from(indented)), true);
    const fast = await read(indented);
    assert.deepEqual(fast, await read(indented.replace('\n<MOF>', '\n<!-- x -->\n<MOF>')));
    assert.deepEqual(fast, await read(text));
  });

  it('leaves UTF-8 bytes that do not decode, or that name a character XML forbids, to the conformant parser', async () => {
    const bytes = plainBytes('UTF-8');
    const name = bytes.indexOf('<AgencyName>', bytes.indexOf('<Detail>', 40_000)) + '<AgencyName>'.length;
    const broken = Buffer.from(bytes);
    broken[name + 1] = 0xff;
    assert.equal(await takenFast(broken), false);
    const found = await problemOf(readBytes(broken));
    assert.equal(found?.problem, 'encoding');
    const forbidden = Buffer.from(bytes);
    forbidden.set([0xef, 0xbf, 0xbf], name);
    assert.equal(await takenFast(forbidden), false);
    assert.deepEqual(await problemOf(readBytes(forbidden)), await problemOf(readBytes(commented(forbidden))));
  });
});
