/**
 * The finance side's reply to a bank's statement (after the 2019 message spec): the statement's
 * head with XCheckResult (0 agrees, 1 differs) and XDiffNum, and one detail per difference with
 * its XCheckResult and XCheckReason. Written here; read back by the sandbox bank.
 */
import { SaxesParser } from 'saxes';
import { strictDecoder } from './decode.ts';
import { encoderFor } from './encode.ts';
import { declaredEncoding } from './parse-xml.ts';
import { StatementError } from './statement-error.ts';
import type { Difference } from './compare.ts';
import type { StatementEncoding } from './format.ts';
import type { StatementHeader } from './statement.ts';
import { detailXml, headXml } from './write-xml.ts';
import { xml } from './xml-names.ts';

const reasons: Record<Difference['type'], string> = {
  'only-at-bank': '无此凭证',
  'only-at-finance': '银行未列示',
  'amount-differs': '金额不符',
  'status-differs': '状态不符',
  duplicate: '重复记录',
};

/** One difference as a reply detail: the line as the bank (or, missing there, finance) has it, with its result and reason. */
function replyDetail(kind: StatementHeader['kind'], d: Difference): string {
  const side = d.bank ?? d.finance;
  return detailXml(
    kind,
    {
      key: d.key,
      voucherNo: d.voucherNo,
      detailId: d.detailId,
      budgetUnit: d.budgetUnit,
      unitName: d.unitName,
      fundType: '',
      subject: d.subject,
      payType: '',
      amounts: side?.amounts ?? [],
      status: side?.status ?? '',
      lineNo: side?.lineNo ?? 0,
    },
    { [xml.checkResult]: '1', [xml.checkReason]: reasons[d.type] },
  );
}

/**
 * The reply in pieces, each in the statement's encoding, so a reply of any number of differences
 * is written as a stream: the opening (the head with XCheckResult and XDiffNum), one detail per
 * difference, the closing.
 */
export function replyParts(header: StatementHeader, diffNum: number, encoding: StatementEncoding) {
  const encode = encoderFor(encoding);
  const head = headXml(header, {
    [xml.checkResult]: diffNum === 0 ? '0' : '1',
    [xml.diffNum]: String(diffNum),
  });
  return {
    opening: encode(`<?xml version="1.0" encoding="${encoding}"?>\n<${xml.root}>${head}\n<${xml.body}>\n`),
    detail: (d: Difference) => encode(`${replyDetail(header.kind, d)}\n`),
    closing: encode(`</${xml.body}></${xml.root}>\n`),
  };
}

export function statementReply(
  header: StatementHeader,
  differences: Iterable<Difference>,
  diffNum: number,
  encoding: StatementEncoding,
): Buffer {
  const parts = replyParts(header, diffNum, encoding);
  return Buffer.concat([parts.opening, ...[...differences].map(parts.detail), parts.closing]);
}

export interface ParsedReply {
  statementNo: string;
  checkResult: number;
  diffNum: number;
  lines: { voucherNo: string; amount: string; reason: string }[];
}

/** Reads a reply (the sandbox bank's side) in the encoding its declaration names. */
export function parseStatementReply(bytes: Uint8Array): ParsedReply {
  const encoding = declaredEncoding(
    bytes,
    (_p, message) => new StatementError('malformed', 'reply', message),
  );
  const text = strictDecoder(encoding).decode(bytes);
  const parser = new SaxesParser();
  const head: Record<string, string> = {};
  const lines: ParsedReply['lines'] = [];
  let current: Record<string, string> | undefined;
  let inHead = false;
  let value = '';
  parser.on('opentag', (t) => {
    value = '';
    if (t.name === xml.head) inHead = true;
    if (t.name === xml.detail) current = {};
  });
  parser.on('text', (t) => (value += t));
  parser.on('closetag', (t) => {
    if (t.name === xml.head) inHead = false;
    else if (t.name === xml.detail && current) {
      lines.push({
        voucherNo: current.VoucherNo ?? current.AgencyCode ?? '',
        amount: current.PayAmt ?? current.IssuedAmt ?? '',
        reason: current[xml.checkReason] ?? '',
      });
      current = undefined;
    } else if (current) current[t.name] = value;
    else if (inHead) head[t.name] = value;
    value = '';
  });
  parser.write(text).close();
  return {
    statementNo: head.VouNo ?? '',
    checkResult: Number(head[xml.checkResult]),
    diffNum: Number(head[xml.diffNum]),
    lines,
  };
}
