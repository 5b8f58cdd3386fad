/**
 * The inbox in a real browser (Debian's chromium, driven by playwright-core) against a real
 * runbook waiting at its approval gate: the approver follows the notification's deep link,
 * signs in, reads the plan, approves, and the runbook carries on to its end.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { readNotificationRecords } from '../../connectors/notify/file.ts';
import { startApprovalTestbed, type ApprovalTestbed, type PersonName } from '../support/approval-testbed.ts';
import { freshPage as newPage, launchChromium, signInOnPage } from '../support/browser.ts';
import { approvalPath } from './helpers.ts';

let tb: ApprovalTestbed;
let browser: Browser;

before(async () => {
  tb = await startApprovalTestbed();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await tb?.stop();
});

const signIn = (page: Page, who: PersonName) => signInOnPage(page, tb.people[who]);

/**
 * The run's approval-requested notice, once its notify activity has written it: the gate shows as
 * pending before that activity has run, and on a loaded machine it can run seconds later.
 */
async function approvalRequested(workflowId: string, timeoutMs = 30_000) {
  const target = tb.site.notify.targets[0];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const notice = (await readNotificationRecords(target?.type === 'file' ? target.path : '')).find(
      (n) => n.workflowId === workflowId && n.kind === 'approval-requested',
    );
    if (notice || Date.now() > deadline) return notice;
    await setTimeout(100);
  }
}
const freshPage = () => newPage(browser);

test('the approver follows the deep link, signs in, reads the plan, approves, and the runbook finishes', async () => {
  const run = await tb.startFixtureRun();
  const notice = await approvalRequested(run.workflowId);
  assert.ok(notice?.link, 'the approval request was notified with a link');
  assert.equal(notice.link, `${tb.inbox.url}${approvalPath(run.workflowId)}`);

  const page = await freshPage();
  await page.goto(notice.link);
  assert.match(page.url(), /\/login\?next=/);
  await signIn(page, 'approver');
  assert.equal(new URL(page.url()).pathname, approvalPath(run.workflowId));

  const body = page.locator('main');
  assert.equal(await page.locator('h1').innerText(), '重启工商银行发送通道 CZ.TO.ICBC');
  assert.deepEqual(await page.locator('pre.command').allInnerTexts(), [
    'STOP CHANNEL(CZ.TO.ICBC) MODE(QUIESCE)',
    'START CHANNEL(CZ.TO.ICBC)',
  ]);
  const text = await body.innerText();
  for (const shown of [
    '中国工商银行（ICBC）',
    '传输队列积压 37 条报文',
    '¥1,001,234.56',
    '****3445',
    '张**',
  ]) {
    assert.ok(text.includes(shown), `the page shows ${shown}`);
  }
  const { pending } = await tb.waitForState(run.workflowId);
  assert.ok(text.includes(pending!.planDigest.slice(0, 12)), 'the plan digest is shown');

  await page.locator('#comment').fill('已核对，同意重启');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '同意执行' }).click()]);
  assert.equal(await page.locator('#outcome').getAttribute('data-gate'), 'approved');
  assert.match(await body.innerText(), /方案已批准，运行手册将继续执行/);

  const result = await run.result();
  assert.equal(result.outcome, 'approved');
  assert.deepEqual(result.executed, ['STOP CHANNEL(CZ.TO.ICBC) MODE(QUIESCE)', 'START CHANNEL(CZ.TO.ICBC)']);
  assert.deepEqual(result.votes, [
    { user: 'li.na', verdict: 'approve', reason: '已核对，同意重启', via: 'inbox' },
  ]);
  assert.equal((await run.describe()).status.name, 'COMPLETED');

  await page.getByRole('link', { name: '返回该审批' }).click();
  await page.waitForURL(`**${approvalPath(run.workflowId)}`);
  assert.match(await body.innerText(), /此运行当前没有待审批事项/);
  await page.getByRole('link', { name: '我的审批记录' }).click();
  await page.waitForURL('**/history');
  assert.match(await body.innerText(), /已核对，同意重启/);
  await page.context().close();
});

test('the list leads to the approval; the reject form needs a reason in the browser and on the server', async () => {
  const run = await tb.startFixtureRun();
  const page = await freshPage();
  await page.goto(`${tb.inbox.url}/`);
  await signIn(page, 'approver2');
  assert.equal(new URL(page.url()).pathname, '/');
  await Promise.all([
    page.waitForNavigation(),
    page.locator(`a[href="${approvalPath(run.workflowId)}"]`).click(),
  ]);

  // Empty: the browser keeps the form (required), nothing is sent.
  const before = page.url();
  await page.getByRole('button', { name: '拒绝', exact: true }).click();
  assert.equal(
    await page
      .locator('#reason')
      .evaluate((el) => (el as unknown as { validity: { valueMissing: boolean } }).validity.valueMissing),
    true,
  );
  assert.equal(page.url(), before);
  // Blank spaces get past the browser, not past the server.
  await page.locator('#reason').fill('   ');
  await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name: '拒绝', exact: true }).click(),
  ]);
  assert.equal(await page.locator('#refusal').getAttribute('data-reason'), 'reason-required');
  assert.match(await page.locator('#refusal').innerText(), /拒绝时必须填写原因/);
  assert.deepEqual((await tb.waitForState(run.workflowId)).pending?.votes, []);

  await page.getByRole('link', { name: '返回该审批' }).click();
  await page.waitForURL(`**${approvalPath(run.workflowId)}`);
  await page.locator('#reason').fill('银行侧正在维护，暂缓操作');
  await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name: '拒绝', exact: true }).click(),
  ]);
  assert.equal(await page.locator('#outcome').getAttribute('data-gate'), 'rejected');
  const result = await run.result();
  assert.equal(result.outcome, 'rejected');
  assert.deepEqual(result.executed, []);
  await page.context().close();
});

test('a user without the role sees nothing to approve and cannot open the approval', async () => {
  const run = await tb.startFixtureRun();
  const page = await freshPage();
  await page.goto(`${tb.inbox.url}/`);
  await signIn(page, 'outsider');
  assert.match(await page.locator('main').innerText(), /当前没有需要您审批的事项/);
  const response = await page.goto(`${tb.inbox.url}${approvalPath(run.workflowId)}`);
  assert.equal(response?.status(), 404);
  assert.equal(await page.locator('form#approve-form, form#reject-form').count(), 0);
  assert.doesNotMatch(await page.locator('main').innerText(), /STOP CHANNEL/);

  // English on request, from the same link every page carries.
  await page.goto(`${tb.inbox.url}/`);
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'English' }).click()]);
  assert.match(await page.locator('main').innerText(), /Nothing is waiting for your approval/);
  await page.context().close();
  await run.terminate('test done');
});
