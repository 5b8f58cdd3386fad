import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../../connectors/logging/logger.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger(
    'redaction-test',
    'info',
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  );
  return { log, lines };
}

test('payee, payer and account fields are redacted in every naming style, nested and in arrays', () => {
  const { log, lines } = capture();
  log.info(
    {
      payeeAccountNo: '6222020200112233445',
      voucher: { payee_account_no: '6222020200112233446', payee_name: '王小明', amountFen: 500 },
      plan: {
        vouchers: [
          { voucherNo: 'V1', payee: { accountNo: '6217000010012345678', accountName: '县第一中学' } },
          { voucherNo: 'V2', payerAcctNo: '110100', payer_acct_name: '县财政局', acct_no: '9' },
        ],
      },
    },
    'plan built',
  );
  const text = JSON.stringify(lines);
  for (const secret of [
    '6222020200112233445',
    '6222020200112233446',
    '王小明',
    '6217000010012345678',
    '县第一中学',
    '110100',
    '县财政局',
  ]) {
    assert.equal(text.includes(secret), false, `${secret} leaked: ${text}`);
  }
  const [line] = lines as [
    {
      plan: { vouchers: { voucherNo: string; payee?: { accountNo: string } }[] };
      voucher: { amountFen: number };
    },
  ];
  assert.equal(line.plan.vouchers[0]?.payee?.accountNo, '[redacted]');
  assert.equal(line.plan.vouchers[1]?.voucherNo, 'V2');
  assert.equal(line.voucher.amountFen, 500);
});

test('credentials, cookies, private keys and robot webhook URLs are redacted; a plain url is not', () => {
  const { log, lines } = capture();
  log.child({ token: 'tok-child' }).warn(
    {
      password: 'pw-1',
      mqweb: { user: 'mqadmin', passwd: 'pw-2' },
      request: {
        url: 'http://127.0.0.1:9080/ibmmq',
        headers: { authorization: 'Basic abc', cookie: 'sid=1', 'set-cookie': ['sid=2'] },
      },
      signer: { keyId: 'inbox', privateKey: '-----BEGIN PRIVATE KEY-----x' },
      notify: [
        { type: 'webhook', webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=robot-key' },
      ],
      session: { accessToken: 'at', refresh_token: 'rt', apiKey: 'ak' },
    },
    'calling out',
  );
  const text = JSON.stringify(lines);
  for (const secret of [
    'tok-child',
    'pw-1',
    'pw-2',
    'Basic abc',
    'sid=1',
    'sid=2',
    'BEGIN PRIVATE KEY',
    'robot-key',
    '"at"',
    '"rt"',
    '"ak"',
  ]) {
    assert.equal(text.includes(secret), false, `${secret} leaked: ${text}`);
  }
  assert.ok(text.includes('http://127.0.0.1:9080/ibmmq'), 'an ordinary url stays readable');
  assert.ok(text.includes('"keyId":"inbox"'));
  assert.ok(text.includes('"user":"mqadmin"'));
});
