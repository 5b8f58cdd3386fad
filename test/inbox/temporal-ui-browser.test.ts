/**
 * The Temporal Web UI behind the front door, in a real browser (Debian's Chromium) against a
 * dev server started as the stack starts it (`--ui-public-path /temporal`, the codec endpoint
 * on the inbox, the UI bound to 127.0.0.1): an engineer signs in at the inbox, reads a run's
 * decoded input in the UI and starts a runbook from its "Start Workflow" — which, signed by no
 * front door, asks to be claimed before its approval: the engineer claims it in the inbox's
 * 待认领 list, an approver approves it, and it carries out its plan — or from the inbox's start
 * form (mending what it refuses beside each field) and follows it into the UI; a stranger and
 * an approver without the engineer role get no UI, no decoding and no start.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createCodecEndpoint } from '../../connectors/codec/codec-endpoint.ts';
import { AesGcmPayloadCodec } from '../../connectors/codec/payload-codec.ts';
import { createLogger } from '../../connectors/logging/logger.ts';
import { projectSearchAttributes, startDevServer } from '../../scripts/lib/dev-server.ts';
import { freePort } from '../../scripts/lib/free-port.ts';
import { ensureTemporalCli } from '../../scripts/lib/temporal-cli.ts';
import { startApprovalTestbed, type ApprovalTestbed, type PersonName } from '../support/approval-testbed.ts';
import { freshPage, launchChromium, signInOnPage } from '../support/browser.ts';
import type { approvalFixture } from './fixtures/approval-fixture.ts';
import { testPayloadKeys } from '../support/codec.ts';
import { Agent } from './helpers.ts';

let tb: ApprovalTestbed;
let browser: Browser;
let uiRunPath: (workflowId: string, runId: string) => string;

before(async () => {
  const port = await freePort();
  const server = await startDevServer({
    cliPath: await ensureTemporalCli({ log: () => undefined }),
    searchAttributes: projectSearchAttributes,
    uiPublicPath: '/temporal',
    uiCodecEndpoint: `http://localhost:${port}/codec`,
  });
  const upstream = new URL(server.uiUrl ?? '').origin;
  tb = await startApprovalTestbed({
    temporal: {
      address: server.address,
      namespace: server.namespace,
      connectionOptions: () => ({ address: server.address }),
      stop: () => server.stop(),
    },
    port,
    // Runbooks started from the start page go to a queue no worker polls: the page is under test.
    editSite: (site) => ({
      ...site,
      temporal: {
        ...site.temporal,
        taskQueues: { ...site.temporal.taskQueues, runbooks: `${site.temporal.taskQueues.runbooks}-starts` },
      },
      inbox: { ...site.inbox, temporalUi: { ...site.inbox.temporalUi, upstream } },
    }),
    codecHandler: (authorize, ownOrigins) =>
      createCodecEndpoint({
        codec: new AesGcmPayloadCodec(testPayloadKeys()),
        uiOrigins: ownOrigins,
        authorize,
        log: createLogger('codec', 'silent'),
      }),
  });
  const namespace = tb.site.temporal.namespace;
  uiRunPath = (workflowId, runId) =>
    `/temporal/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}/${runId}/history`;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await tb?.stop();
});

/** Every answer of the codec endpoint the page received, by operation. */
function codecAnswers(page: Page): { decode: number[]; encode: number[] } {
  const seen = { decode: [] as number[], encode: [] as number[] };
  page.on('response', (r) => {
    const op = /\/codec\/(decode|encode)/.exec(r.url())?.[1] as 'decode' | 'encode' | undefined;
    if (op) seen[op].push(r.status());
  });
  return seen;
}

async function signedIn(
  who: PersonName,
  path: string,
): Promise<{ page: Page; codec: ReturnType<typeof codecAnswers> }> {
  const page = await freshPage(browser);
  const codec = codecAnswers(page);
  await page.goto(`${tb.inbox.url}${path}`);
  assert.match(new URL(page.url()).pathname, /^\/login$/, 'the front door asks who it is first');
  await signInOnPage(page, tb.people[who]);
  return { page, codec };
}

test('an engineer signs in at the front door and reads the decoded input of a run in the Web UI', async () => {
  const run = await tb.startFixtureRun();
  const { runId } = await run.describe();
  const { page, codec } = await signedIn('requester', uiRunPath(run.workflowId, runId));
  assert.equal(new URL(page.url()).pathname, uiRunPath(run.workflowId, runId));

  const input = page.locator('main').getByText('"bankCode": "ICBC"');
  await input.waitFor({ timeout: 30_000 });
  const text = await page.locator('main').innerText();
  // Both fields are inside the encrypted input: the page could only show them decoded.
  assert.match(text, /"requestedBy": "zhang\.wei"/);
  assert.doesNotMatch(text, /binary\/encrypted|Codec Server could not connect/);
  assert.ok(
    codec.decode.length > 0 && codec.decode.every((s) => s === 200),
    `decode answers ${codec.decode}`,
  );
  await page.context().close();
  await run.terminate('test done');
});

test('an engineer starts a runbook from Start Workflow in the Web UI; its input is encrypted in history; the run asks to be claimed, is claimed in the inbox, approved and proceeds', async () => {
  const workflowId = `ui-started/${tb.taskQueue}`;
  const { page, codec } = await signedIn(
    'requester',
    '/temporal/namespaces/default/workflows/start-workflow',
  );
  await page.locator('#workflowId').fill(workflowId);
  await page.locator('#taskQueue').fill(tb.taskQueue);
  await page.locator('#workflowType').fill('approvalFixture');
  await page.getByLabel('Data').click();
  await page.keyboard.insertText(
    JSON.stringify({
      requestedBy: tb.people.requester.id,
      bankCode: 'ICBC',
      plan: {
        runbook: 'inbox-fixture',
        title: { zh: '从 Temporal 控制台发起', en: 'Started from the Web UI' },
        findings: [],
        actions: [
          {
            kind: 'mqsc',
            target: 'QM.CZ',
            command: 'START CHANNEL(CZ.TO.ICBC)',
            description: { zh: '启动发送通道', en: 'Start the sender channel' },
          },
        ],
      },
    }),
  );
  // The form takes its fields on blur; then the button starts the run.
  await page.locator('h1').first().click();
  await page.getByTestId('start-workflow-button').click();

  // Nobody signed for this start: the run asks to be claimed before it asks for its approval.
  const unclaimed = await tb.waitForState(workflowId, (s) => s.awaitingClaim);
  assert.deepEqual(unclaimed.requester, { user: tb.people.requester.id, verified: false, via: 'unverified' });
  assert.equal(unclaimed.pending, null);
  assert.deepEqual(codec.encode, [200]);
  const history = await tb.client.workflow.getHandle(workflowId).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  assert.equal(Buffer.from(payload?.metadata?.encoding ?? []).toString(), 'binary/encrypted');
  assert.doesNotMatch(Buffer.from(payload?.data ?? []).toString('latin1'), /从 Temporal|ICBC/);

  // The engineer finds it in the inbox's 待认领 list and claims it with one button.
  await page.goto(`${tb.inbox.url}/`);
  await Promise.all([
    page.waitForNavigation(),
    page.locator('#claims').getByRole('link', { name: workflowId }).click(),
  ]);
  assert.match(await page.locator('#awaiting-claim').innerText(), /正在等待认领/);
  await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name: '认领', exact: true }).click(),
  ]);
  assert.match(await page.locator('#claimed').innerText(), /您已认领运行/);
  const asked = await tb.waitForState(workflowId);
  assert.deepEqual(asked.requester, { user: tb.people.requester.id, verified: true, via: 'claim' });
  assert.equal(
    asked.pending?.plan.title.zh,
    '从 Temporal 控制台发起',
    'the worker decoded the input the UI encoded',
  );
  await page.goto(`${tb.inbox.url}/approvals/${encodeURIComponent(workflowId)}`);
  assert.match(await page.locator('#cannot-decide').innerText(), /您已认领此运行/);
  assert.equal(await page.locator('#approve-form').count(), 0, 'the claimant is offered no approval');
  await page.context().close();

  // An approver approves it in the inbox, and the run carries out its plan.
  const approver = await signedIn('approver', `/approvals/${encodeURIComponent(workflowId)}`);
  await Promise.all([
    approver.page.waitForNavigation(),
    approver.page.getByRole('button', { name: '同意执行' }).click(),
  ]);
  assert.equal(await approver.page.locator('#outcome').getAttribute('data-gate'), 'approved');
  const result = await tb.client.workflow.getHandle<typeof approvalFixture>(workflowId).result();
  assert.deepEqual(
    { outcome: result.outcome, executed: result.executed, votes: result.votes.map((v) => v.user) },
    { outcome: 'approved', executed: ['START CHANNEL(CZ.TO.ICBC)'], votes: [tb.people.approver.id] },
  );
  await approver.page.context().close();
});

test('a stranger gets the sign-in page instead of the Web UI, and can neither decode nor encode', async () => {
  const page = await freshPage(browser);
  await page.goto(`${tb.inbox.url}/temporal/namespaces/default/workflows`);
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.equal(await page.locator('h1').innerText(), '登录');
  assert.equal(await page.locator('#svelte').count(), 0, 'no UI was served');

  const call = (path: string, body: unknown) =>
    page.request.post(`${tb.inbox.url}${path}`, {
      data: body,
      headers: { origin: new URL(tb.inbox.url).origin },
    });
  const payload = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: 'e30=' };
  assert.equal((await call('/codec/decode', { payloads: [payload] })).status(), 401);
  assert.equal((await call('/codec/encode', { payloads: [payload] })).status(), 401);
  const start = await call('/temporal/api/v1/namespaces/default/workflows/stranger-start', {
    workflowId: 'stranger-start',
    workflowType: { name: 'approvalFixture' },
    taskQueue: { name: tb.taskQueue },
  });
  assert.equal(start.status(), 401);
  assert.equal((await page.request.get(`${tb.inbox.url}/temporal/api/v1/settings`)).status(), 401);
  await assert.rejects(tb.client.workflow.getHandle('stranger-start').describe());
  await page.context().close();
});

test('an approver without the engineer role is refused the Web UI, decoding and encoding', async () => {
  const { page } = await signedIn('approver', '/temporal/namespaces/default/workflows');
  assert.match(await page.locator('main').innerText(), /Temporal Web UI 仅供运维工程师使用/);
  assert.equal(await page.locator('#svelte').count(), 0, 'no UI was served');
  const payload = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: 'e30=' };
  for (const op of ['decode', 'encode']) {
    const answer = await page.request.post(`${tb.inbox.url}/codec/${op}`, {
      data: { payloads: [payload] },
      headers: { origin: new URL(tb.inbox.url).origin },
    });
    assert.equal(answer.status(), 401, op);
  }
  await page.context().close();
});

test('a write to the Web UI from another origin is refused, even with the session of an engineer', async () => {
  const engineer = new Agent(tb.inbox.url);
  await engineer.signIn(tb.people.requester.id, tb.people.requester.password);
  const path = '/temporal/api/v1/namespaces/default/workflows/cross-site-start';
  const body = JSON.stringify({ workflowId: 'cross-site-start', workflowType: { name: 'approvalFixture' } });
  const json = { 'content-type': 'application/json' };
  const forged = await engineer.request('POST', path, {
    body,
    headers: { ...json, origin: 'https://evil.example' },
  });
  assert.equal(forged.status, 403);
  const bare = await engineer.request('POST', path, { body, headers: json });
  assert.equal(bare.status, 403, 'no Origin and no Referer: not from a page of the inbox');
  await assert.rejects(tb.client.workflow.getHandle('cross-site-start').describe());
});

test("an engineer fills a runbook's form on the start page, mends what it refuses beside each field, starts it and follows it into the Web UI", async () => {
  const { page } = await signedIn('requester', '/start');
  await Promise.all([
    page.waitForNavigation(),
    page.getByRole('link', { name: '失败凭证修复与重发' }).click(),
  ]);
  const submit = () =>
    Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '发起运行' }).click()]);
  const errorBeside = (path: string) => page.locator(`p.field-error[data-field="${path}"]`).innerText();

  await page.getByLabel('代理银行').fill('ICBC');
  await page.getByLabel('第 1 项').fill('ZZ-1');
  await submit();
  assert.match(await errorBeside('input.voucherNos[0]'), /a voucher number/);
  const first = page.getByLabel('第 1 项');
  assert.equal(await first.getAttribute('aria-invalid'), 'true');
  assert.equal(await first.inputValue(), 'ZZ-1', 'what was typed comes back to be mended');

  await first.fill('ZZ20261127ICBC0001');
  await page.getByLabel('只处理此日起的凭证').fill('2099-12-31');
  await submit();
  assert.match(await errorBeside('input.since'), /2099-12-31 is after today/);
  assert.equal(await page.locator('p.field-error').count(), 1, 'the mended voucher number is accepted');

  await page.getByLabel('只处理此日起的凭证').fill('');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '添加一行' }).click()]);
  await page.getByLabel('第 2 项').fill('ZZ20261127ICBC0002');
  await page.getByLabel('只出方案，不执行').check();
  await submit();
  const workflowId = await page.locator('#started').getAttribute('data-workflow-id');
  assert.match(workflowId ?? '', /^voucher-resend\/ICBC\/\d{4}-\d{2}-\d{2}$/);

  await Promise.all([page.waitForNavigation(), page.locator('#open-ui').click()]);
  await page.locator('main').getByText('"ZZ20261127ICBC0002"').waitFor({ timeout: 30_000 });
  const shown = await page.locator('main').innerText();
  assert.match(shown, /"requestedBy": "zhang\.wei"/);
  assert.match(shown, /"dryRun": true/);
  await page.context().close();
  await tb.client.workflow.getHandle(workflowId ?? '').terminate('test done');
});
