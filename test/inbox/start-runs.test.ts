/**
 * Starting runbooks through the front door — the inbox's API and `runbook start`, which uses it:
 * only engineers, input checked by the runbook's schema before anything starts, and every start
 * carrying a start assertion signed by the inbox in the workflow's memo, bound to the run and its
 * input, with the signed-in person as requester whatever the input said.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadSignerKeys } from '../../connectors/approvals/signing-keys.ts';
import { AesGcmPayloadCodec } from '../../connectors/codec/payload-codec.ts';
import { planDigest } from '../../domain/approvals/decision.ts';
import {
  signedStartSchema,
  startAssertionMemoKey,
  verifyStartSignature,
} from '../../domain/approvals/signed-claims.ts';
import { dateInZone } from '../../domain/calendar/dates.ts';
import { runRunCommand } from '../../scripts/lib/run-commands.ts';
import { startApprovalTestbed, type ApprovalTestbed, type PersonName } from '../support/approval-testbed.ts';
import { testPayloadKeys } from '../support/codec.ts';
import { Agent, api, field } from './helpers.ts';

let tb: ApprovalTestbed;
const tokens = new Map<PersonName, string>();

before(async () => {
  // Runs start on a queue no worker polls: these tests are about the start, not the run.
  tb = await startApprovalTestbed({
    editSite: (site) => ({
      ...site,
      temporal: {
        ...site.temporal,
        taskQueues: { ...site.temporal.taskQueues, runbooks: `${site.temporal.taskQueues.runbooks}-starts` },
      },
    }),
  });
});
after(async () => {
  await tb?.stop();
});

async function tokenOf(who: PersonName): Promise<string> {
  const known = tokens.get(who);
  if (known) return known;
  const person = tb.people[who];
  const session = await api(tb.inbox.url, 'POST', '/api/session', {
    body: { user: person.id, password: person.password },
  });
  assert.equal(session.status, 200);
  tokens.set(who, session.json.token as string);
  return session.json.token as string;
}

const startRun = async (who: PersonName, body: unknown) =>
  api(tb.inbox.url, 'POST', '/api/runs', { token: await tokenOf(who), body });

/** The run's start assertion, checked as the workflow checks it, and the input it started with. */
async function startedWith(workflowId: string) {
  const handle = tb.client.workflow.getHandle(workflowId);
  const description = await handle.describe();
  const signed = signedStartSchema.parse(description.memo?.[startAssertionMemoKey]);
  assert.equal(verifyStartSignature(signed, loadSignerKeys(tb.site.approvals)), 'ok');
  const history = await handle.fetchHistory();
  const raw = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const memoPayload = raw?.memo?.fields?.[startAssertionMemoKey];
  assert.equal(Buffer.from(memoPayload?.metadata?.encoding ?? []).toString(), 'binary/encrypted');
  const [input] = await new AesGcmPayloadCodec(testPayloadKeys()).decode(raw?.input?.payloads ?? []);
  const decoded = JSON.parse(Buffer.from(input?.data ?? []).toString()) as Record<string, unknown>;
  return { claims: signed.claims, input: decoded, runId: description.runId, type: description.type };
}

const today = () => dateInZone(new Date(), tb.site.site.timezone);

test('an engineer starts a runbook through the API; the run carries the signed start assertion', async () => {
  const answer = await startRun('requester', {
    runbook: 'channel-recovery',
    input: { bank: 'ICBC', requestedBy: 'someone.else', reason: '巡检发现 CZ.TO.ICBC 重试中' },
  });
  assert.equal(answer.status, 201, JSON.stringify(answer.json));
  const workflowId = `channel-recovery/CZ.TO.ICBC/${today()}`;
  assert.equal(answer.json.workflowId, workflowId);

  const { claims, input, runId, type } = await startedWith(workflowId);
  assert.equal(answer.json.runId, runId);
  assert.equal(type, 'channelRecovery');
  assert.equal(input.requestedBy, tb.people.requester.id, 'the signed-in person, not the name in the input');
  assert.deepEqual(
    { ...claims, issuedAt: '', nonce: '' },
    {
      v: 1,
      kind: 'start',
      namespace: tb.site.temporal.namespace,
      workflowId,
      workflowType: 'channelRecovery',
      taskQueue: tb.site.temporal.taskQueues.runbooks,
      inputDigest: planDigest(input),
      user: tb.people.requester.id,
      via: 'cli',
      issuedAt: '',
      nonce: '',
    },
  );
  assert.ok(Math.abs(Date.parse(claims.issuedAt) - Date.now()) < 60_000);

  const again = await startRun('requester', { runbook: 'channel-recovery', input: { bank: 'ICBC' } });
  assert.equal(again.status, 409);
  assert.equal(again.json.workflowId, workflowId);
  await tb.client.workflow.getHandle(workflowId).terminate('test done');
});

test('bad input is refused naming the field, and nothing starts', async () => {
  const answer = await startRun('requester', {
    runbook: 'daily-inspection',
    input: { banks: ['ICBC', 'XYZ'] },
  });
  assert.equal(answer.status, 400);
  assert.equal(answer.json.error, 'invalid_input');
  assert.equal(answer.json.field, 'input.banks[1]');
  assert.match(String(answer.json.message), /unknown bank code "XYZ"/);
  const unknown = await startRun('requester', { runbook: 'no-such-runbook', input: {} });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.json.field, 'runbook');
  await assert.rejects(tb.client.workflow.getHandle(`daily-inspection/${today()}`).describe());
});

test('only engineers may start: an approver is refused and nothing starts', async () => {
  const answer = await startRun('approver', { runbook: 'channel-recovery', input: { bank: 'ABC' } });
  assert.equal(answer.status, 403);
  const list = await api(tb.inbox.url, 'GET', '/api/runbooks', { token: await tokenOf('approver') });
  assert.equal(list.status, 403);
  await assert.rejects(tb.client.workflow.getHandle(`channel-recovery/CZ.TO.ABC/${today()}`).describe());
  const runbooks = await api(tb.inbox.url, 'GET', '/api/runbooks', { token: await tokenOf('requester') });
  assert.ok(
    (runbooks.json.runbooks as { runbook: string; workflowType: string }[]).some(
      (r) => r.runbook === 'channel-recovery' && r.workflowType === 'channelRecovery',
    ),
  );
});

async function cli(args: string[], env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runRunCommand('start', args, {
    site: tb.site,
    io: { out: (l) => out.push(l), err: (l) => err.push(l), env, stderr: { write: () => true } },
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('runbook start signs in as the person and starts through the inbox', async () => {
  const { requester } = tb.people;
  const env = { JINCAI_USER: requester.id, JINCAI_PASSWORD: requester.password };
  const started = await cli(['sequence-resync', '--input', '{"bank":"CCB","dryRun":true}'], env);
  assert.equal(started.code, 0, started.err);
  const workflowId = `sequence-resync/CZ.TO.CCB/${today()}`;
  assert.match(started.out, new RegExp(`^Started sequence-resync as zhang\\.wei: ${workflowId} \\(run `));
  const { claims, input } = await startedWith(workflowId);
  assert.equal(claims.user, requester.id);
  assert.equal(input.requestedBy, requester.id);
  await tb.client.workflow.getHandle(workflowId).terminate('test done');

  const bad = await cli(['sequence-resync', '--input', '{"bank":"CCB","scope":"everything"}'], env);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /input\.scope/);
  const wrong = await cli(['sequence-resync', '--input', '{"bank":"BOC"}'], {
    JINCAI_USER: requester.id,
    JINCAI_PASSWORD: 'not-the-password',
  });
  assert.equal(wrong.code, 1);
  assert.match(wrong.err, /sign-in failed/);
  const nobody = await cli(['sequence-resync', '--input', '{"bank":"BOC"}'], {});
  assert.equal(nobody.code, 2);
  assert.match(nobody.err, /--user/);
  await assert.rejects(tb.client.workflow.getHandle(`sequence-resync/CZ.TO.BOC/${today()}`).describe());

  const approver = tb.people.approver;
  const refused = await cli(['sequence-resync', '--input', '{"bank":"BOC"}'], {
    JINCAI_USER: approver.id,
    JINCAI_PASSWORD: approver.password,
  });
  assert.equal(refused.code, 3);
  assert.match(refused.err, /may not start runbooks/);
});

test('the start page as JSON: engineers pick a runbook, paste its input, see problems by field, start it', async () => {
  const { requester } = tb.people;
  const stranger = await new Agent(tb.inbox.url).get('/start');
  assert.equal(stranger.status, 303);
  assert.equal(stranger.location, '/login?next=%2Fstart');

  const agent = new Agent(tb.inbox.url);
  await agent.signIn(requester.id, requester.password);
  const list = await agent.get('/start');
  assert.equal(list.status, 200);
  assert.match(list.body, /href="\/start\/void-status-check">作废状态检查<\/a>/);
  const formPage = await agent.get('/start/void-status-check?as=json');
  assert.equal(formPage.status, 200);
  assert.match(formPage.body, /<textarea id="input" name="input"/);
  const csrf = field(formPage.body, 'csrf');
  const post = (input: string, workflowId = '', origin?: string | null) =>
    agent.postForm('/start/void-status-check', { csrf, mode: 'json', input, workflowId }, { origin });

  const notJson = await post('{"bank": ICBC}');
  assert.equal(notJson.status, 400);
  assert.match(notJson.body, /<li data-field="input">\s*<code>input<\/code>：不是有效的 JSON/);
  assert.match(notJson.body, /\{&quot;bank&quot;: ICBC\}<\/textarea>/, 'the text comes back to be mended');
  const unknownBank = await post('{"bank":"XYZ","overdueMinutes":60}');
  assert.equal(unknownBank.status, 400);
  assert.match(
    unknownBank.body,
    /<li data-field="input\.bank">\s*<code>input\.bank<\/code>：unknown bank code &quot;XYZ&quot;/,
  );
  assert.match(unknownBank.body, /aria-invalid="true"/);
  assert.equal((await post('{"bank":"CCB"}', '', 'https://evil.example')).status, 403);

  const workflowId = `void-status-check/CCB/${today()}`;
  await assert.rejects(tb.client.workflow.getHandle(workflowId).describe(), 'nothing started so far');
  const started = await post('{"bank":"CCB","overdueMinutes":60}');
  assert.equal(started.status, 201, started.body);
  assert.match(started.body, new RegExp(`data-workflow-id="${workflowId.replace(/\//g, '\\/')}"`));
  const { claims, input, runId } = await startedWith(workflowId);
  const uiPath = `/temporal/namespaces/${tb.site.temporal.namespace}/workflows/${encodeURIComponent(workflowId)}/${runId}/history`;
  assert.ok(started.body.includes(uiPath), uiPath);
  assert.equal(claims.via, 'inbox');
  assert.equal(claims.user, requester.id);
  assert.equal(input.requestedBy, requester.id);
  assert.equal((await post('{"bank":"CCB"}')).status, 409);
  await tb.client.workflow.getHandle(workflowId).terminate('test done');

  const approver = new Agent(tb.inbox.url);
  await approver.signIn(tb.people.approver.id, tb.people.approver.password);
  const refused = await approver.get('/start');
  assert.equal(refused.status, 403);
  assert.match(refused.body, /发起运行仅限运维工程师/);
  assert.doesNotMatch((await approver.get('/')).body, /href="\/start"/, 'no start link for approvers');
});

test("the start page's form: a field per input field, each problem beside its field, rows added, nothing started until it is right", async () => {
  const { requester } = tb.people;
  const agent = new Agent(tb.inbox.url);
  await agent.signIn(requester.id, requester.password);
  const page = await agent.get('/start/voucher-resend');
  assert.equal(page.status, 200);
  for (const name of ['input.bank', 'input.since', 'input.voucherNos[0]', 'input.askRounds', 'input.dryRun'])
    assert.match(page.body, new RegExp(`name="${name.replace(/[.[\]]/g, '\\$&')}"`), name);
  assert.doesNotMatch(page.body, /name="input\.requestedBy"/, 'the requester is the signed-in person');
  assert.match(page.body, /<label for="f-input\.bank">代理银行/);
  const csrf = field(page.body, 'csrf');
  const post = (fields: Record<string, string>) =>
    agent.postForm('/start/voucher-resend', {
      csrf,
      mode: 'form',
      workflowId: '',
      'input.voucherNos#rows': '1',
      ...fields,
    });

  const grown = await post({
    'input.bank': 'ICBC',
    'input.voucherNos[0]': 'ZZ20261127ICBC0001',
    add: 'input.voucherNos',
  });
  assert.equal(grown.status, 200);
  assert.equal(
    field(grown.body, 'input.voucherNos#rows'),
    '3',
    'the voucher, a blank row and the one asked for',
  );
  assert.match(grown.body, /name="input\.voucherNos\[0\]" value="ZZ20261127ICBC0001"/);

  const wrong = await post({
    'input.bank': 'XYZ',
    'input.voucherNos[0]': 'bad',
    'input.askRounds': 'three',
    'input.voucherNos#rows': '1',
  });
  assert.equal(wrong.status, 400);
  const beside = [...wrong.body.matchAll(/<p class="field-error" id="[^"]+" data-field="([^"]+)">/g)].map(
    (m) => m[1],
  );
  assert.deepEqual(beside.sort(), ['input.askRounds', 'input.voucherNos[0]']);
  assert.match(wrong.body, /id="f-input\.askRounds"[^>]*value="three"[^>]*aria-invalid="true"/);
  const site = await post({ 'input.bank': 'XYZ', 'input.voucherNos[0]': 'ZZ20261127ICBC0001' });
  assert.match(
    site.body,
    /data-field="input\.bank">unknown bank code &quot;XYZ&quot;/,
    "the site's check, beside the bank",
  );

  const workflowId = `voucher-resend/ICBC/${today()}`;
  await assert.rejects(tb.client.workflow.getHandle(workflowId).describe(), 'nothing started so far');
  const started = await post({
    'input.bank': 'ICBC',
    'input.voucherNos[0]': 'ZZ20261127ICBC0001',
    'input.dryRun': 'true',
  });
  assert.equal(started.status, 201, started.body);
  const { input } = await startedWith(workflowId);
  assert.deepEqual(
    { bank: input.bank, voucherNos: input.voucherNos, dryRun: input.dryRun, requestedBy: input.requestedBy },
    { bank: 'ICBC', voucherNos: ['ZZ20261127ICBC0001'], dryRun: true, requestedBy: requester.id },
  );
  await tb.client.workflow.getHandle(workflowId).terminate('test done');
});
