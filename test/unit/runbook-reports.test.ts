import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { channelRecoveryReport } from '../../domain/runbooks/channel-recovery.report.ts';
import { dailyInspectionReport } from '../../domain/runbooks/daily-inspection.report.ts';
import { voidStatusCheckReport } from '../../domain/runbooks/void-status-check.report.ts';
import { voucherResendReport } from '../../domain/runbooks/voucher-resend.report.ts';
import { inspection, reportFixtures, run } from './fixtures/runbook-reports.ts';

const headings = (md: string) => md.split('\n').filter((l) => /^#{1,3} /.test(l));

describe('every runbook report', () => {
  for (const [runbook, report] of Object.entries(reportFixtures)) {
    it(`${runbook}: no undefined, NaN or object text; one title; times in the site zone`, () => {
      const md = report();
      // "null" as a value printed, not the word in an SQL text such as "not null"
      assert.doesNotMatch(md, /undefined|NaN|\[object |(?<!not )\bnull\b/);
      assert.equal(md.split('\n').filter((l) => l.startsWith('# ')).length, 1);
      assert.ok(md.endsWith('\n') && !md.endsWith('\n\n'), 'ends with one newline');
      assert.match(md, /2026-11-27 09:3\d:\d\d/, 'an instant in Beijing time');
      assert.doesNotMatch(md, /2026-11-27T/, 'no raw ISO instants');
    });
  }
});

describe('runbook reports: what each tells', () => {
  it('channel recovery: the diagnosis, the verification, the plan, votes and actions on their queue managers', () => {
    const md = reportFixtures['channel-recovery']!();
    assert.deepEqual(headings(md), [
      '# 通道恢复报告 — 中国工商银行 CZ.TO.ICBC',
      '## 诊断',
      '## 验证',
      '## 执行计划',
      '### 计划依据',
      '### 计划操作',
      '## 审批',
      '## 执行记录',
    ]);
    assert.match(md, /结果：\*\*已恢复\*\*（recovered）/);
    assert.match(md, /\| 2026-11-27 09:33:00 \| QM\.CZ \| `STOP CHANNEL\(CZ\.TO\.ICBC\) MODE\(QUIESCE\)` \|/);
    assert.match(md, /\| QM\.ICBC \| `START CHANNEL\(ICBC\.TO\.CZ\)` \| （已处于目标状态）AMQ8018I \|/);
    assert.match(md, /\| 李四（li\.si） \| 同意 \| 同意 \\<script\\>/);
  });

  it('channel recovery with nothing to do: no plan, votes or actions', () => {
    const md = channelRecoveryReport(run, {
      bank: 'ICBC',
      channel: 'CZ.TO.ICBC',
      outcome: 'already-running',
      why: '通道运行正常',
      diagnosis: {
        bank: 'ICBC',
        bankName: '中国工商银行',
        qmgr: 'QM.CZ',
        channel: 'CZ.TO.ICBC',
        sender: { qmgr: 'QM.CZ', channel: 'CZ.TO.ICBC', chltype: 'SDR', status: 'RUNNING' },
        xmitqDepth: 0,
        tcp: { method: 'tcp', reachable: true, detail: '连接成功' },
      },
      actions: [],
    });
    assert.deepEqual(headings(md), ['# 通道恢复报告 — 中国工商银行 CZ.TO.ICBC', '## 诊断']);
    assert.match(md, /通道已正常，无需处理/);
    assert.match(md, /- 发送通道 CZ\.TO\.ICBC（QM\.CZ）：RUNNING\n/);
  });

  it('voucher resend: totals in yuan, the vouchers left for a person, payees masked even when a plan slipped', () => {
    const md = reportFixtures['voucher-resend']!();
    assert.match(md, /失败凭证 3 张，合计 ¥123,556\.83（业务日期自 2026-10-27 起，1 批）/);
    assert.match(md, /\| 重发成功，银行已受理 \| 2 \| ¥123,456\.83 \|/);
    assert.match(md, /\| ICBC20261127003 \| ¥100\.00 \| 未处理 \|/);
    assert.match(md, /\| ICBC20261127001 \| ¥123,456\.78 \| 张\\\*\\\* \| \\\*\\\*\\\*\\\*1234 \|/);
    assert.match(md, /\| ICBC20261127002 \| ¥0\.05 \|/);
    assert.match(md, /涉及凭证 3 张，合计 ¥123,556\.83（下列前 2 张）/);
    assert.doesNotMatch(md, /张三丰|6222020200001234/);
  });

  it('voucher resend with nothing found: the overview alone', () => {
    const md = voucherResendReport(run, {
      bank: { code: 'ICBC', name: '中国工商银行' },
      outcome: 'nothing-to-do',
      since: '2026-10-27',
      found: 0,
      foundFen: 0,
      batches: 0,
      pushed: [],
      fixesApplied: 0,
      done: [],
      counts: {},
      fen: {},
      approvals: [],
    });
    assert.deepEqual(headings(md), ['# 失败凭证修复与重发报告 — 中国工商银行', '## 概况']);
    assert.match(md, /失败凭证 0 张，合计 ¥0\.00/);
  });

  it('daily report check: each report with its time, lines and total; the request and the second look', () => {
    const md = reportFixtures['daily-report-check']!();
    assert.deepEqual(headings(md).slice(1), [
      '## 检查结果',
      '## 补发请求与银行应答',
      '## 等待 10 分钟后复查',
      '## 执行记录',
    ]);
    assert.match(md, /清单：已收到（2026-11-26 18:00:00，12 行，合计 ¥98,765\.43）/);
    assert.match(md, /日报：银行已应答并补发（2026-11-27 09:31:00）/);
  });

  it('sequence resync: readings before and after, an earlier plan, the last plan', () => {
    const md = reportFixtures['sequence-resync']!();
    assert.deepEqual(headings(md).slice(1, 7), [
      '## 处理前读数',
      '## 判断',
      '## 先前计划（execute）',
      '## 验证',
      '## 处理后读数',
      '## 执行计划',
    ]);
    assert.match(md, /计划摘要（SHA-256）：`c{64}`/, 'the last plan is the plan');
    assert.match(md, /计划摘要 b{64}/, 'the earlier one is listed');
  });

  it('receipt repair, voids, refunds: counts, items with amounts in yuan, the applied SQL', () => {
    const receipts = reportFixtures['receipt-registration-repair']!();
    assert.match(receipts, /未登记回单 2 张（本次处理 2 张）/);
    assert.match(receipts, /\| R002 \| ICBC002 \| ¥300\.00 \| 银行支付金额不符 \|/);
    assert.match(receipts, /`UPDATE void_requests .* x = 'a\\\|b'` \| 作废未成功/);
    const voids = reportFixtures['void-status-check']!();
    assert.match(voids, /在途作废申请 2 笔，超过 30 分钟未确认 2 笔/);
    assert.match(voids, /- 凭证 ICBC009（¥0\.00）：银行无此凭证 — 银行无此凭证/);
    const refunds = reportFixtures['refund-tracking']!();
    assert.match(refunds, /未结退款 1 笔，超过 24 小时 1 笔/);
    assert.match(refunds, /- 退款 RF001（银行发起，¥250\.00）：无对应凭证 — /);
    assert.match(refunds, /无可自动处理项，已列明原因/);
    assert.doesNotMatch(refunds, /## (验证|执行计划|审批|执行记录)/);
  });

  it('a settling check with nothing open says so under its items heading', () => {
    const md = voidStatusCheckReport(
      run,
      { bankName: '中国工商银行', date: '2026-11-27', overdueMinutes: 30 },
      { outcome: 'nothing-to-do', why: '没有超时的作废申请', askNotes: [], verified: [], votes: [] },
      { open: [], items: 0, decisions: [] },
    );
    assert.match(md, /无超时未确认的作废申请/);
    assert.match(md, /## 逐笔判断（依据银行应答）\n\n没有超时未结的申请。/);
  });

  it('adding a bank: readiness, base data none needed, the test message, the registration', () => {
    const md = reportFixtures['add-agent-bank']!();
    assert.deepEqual(headings(md).slice(1, 5), [
      '## 银行与准备情况',
      '## 基础资料下发',
      '## 测试报文（双向）',
      '## 登记与验证',
    ]);
    assert.match(md, /## 基础资料下发\n\n银行此前已确认当前版本，无需下发/);
    assert.match(md, /状态查询 TEST-HXB-1：answered，应答 2026-11-27 09:33:12/);
    assert.match(md, /看到该行的工作进程：无/);
    assert.match(md, /\| `DEFINE CHANNEL\(CZ\.TO\.HXB\) \+` \|/, 'a multi-line command shows its first line');
    assert.ok(
      md.includes('  ````\n  code: HXB\n  name: 华夏银行\n  ```\n  qmgr: QM.HXB\n  ````'),
      'the plan shows it whole',
    );
  });

  it('daily inspection: the lights, the findings with their runbook, per-bank details as headings and tables', () => {
    const md = reportFixtures['daily-inspection']!();
    assert.match(
      md,
      /\| 中国工商银行（ICBC） \| 🔴 异常 \| 🔴 异常 \| 🟢 正常 \| 🟡 关注 \| ⚪ 未检查（检查失败：/,
    );
    assert.match(md, /\| 通道恢复（`channel-recovery`） \|/);
    assert.match(md, /## 全局问题[\s\S]*缺少 2027 年的节假日与调休安排/);
    assert.match(md, /### 中国工商银行（ICBC）\n\n- 通道 CZ\.TO\.ICBC（QM\.CZ，SDR）：RETRYING，序列号 40/);
    assert.match(md, /\| 日报（接收）（2026-11-26） \| 1 \| 0 ⚠ \|/);
    assert.match(md, /### 中国建设银行（CCB）\n\n未取得明细/);
  });

  it('a quiet inspection: no findings said in words, no follow-ups section', () => {
    const md = dailyInspectionReport(
      {
        ...inspection,
        light: 'green',
        banks: [],
        findings: [],
        siteFindings: [],
        skipped: ['traffic'],
        followUps: [],
      },
      'Asia/Shanghai',
    );
    assert.match(md, /## 发现的问题及处置建议\n\n未发现问题。/);
    assert.match(md, /- 跳过的检查：当日业务量/);
    assert.doesNotMatch(md, /已按策略启动|全局问题/);
  });
});
