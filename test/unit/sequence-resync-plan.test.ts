import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeInputIssues } from '../../domain/errors.ts';
import {
  channelCommand,
  decideChannel,
  decideSerials,
  nextSequenceNumber,
  resolvePlan,
  resyncPlan,
  serialsPlan,
  serialsSql,
} from '../../domain/runbooks/sequence-resync.plan.ts';
import {
  sequenceResyncInputSchema,
  type BankSerialAnswer,
  type ChannelDecision,
  type SequenceEnd,
  type SequenceState,
  type SerialsState,
} from '../../domain/runbooks/sequence-resync.types.ts';
import { followUpsFor } from '../../workflows/daily-inspection.follow-up.ts';

const bank = { code: 'CCB', name: '中国建设银行' };

function state(
  sender: Partial<SequenceEnd> = {},
  receiver: Partial<SequenceEnd> | null = {},
  extra: Partial<SequenceState> = {},
): SequenceState {
  return {
    bank: 'CCB',
    qmgr: 'QM.CZ',
    bankQmgr: 'QM.CCB',
    channel: 'CZ.TO.CCB',
    xmitq: 'QM.CCB',
    defined: true,
    seqwrap: 999_999_999,
    xmitqDepth: 4,
    sender: {
      qmgr: 'QM.CZ',
      channel: 'CZ.TO.CCB',
      status: 'STOPPED',
      lastSeq: 120,
      currentSeq: 120,
      ...sender,
    },
    receiver:
      receiver === null
        ? { readable: false, why: 'no-access', detail: 'bankQmgrAccess: false' }
        : {
            readable: true,
            end: { qmgr: 'QM.CCB', channel: 'CZ.TO.CCB', status: 'INACTIVE', lastSeq: 125, ...receiver },
          },
    ...extra,
  };
}

const commands = (d: ChannelDecision) =>
  d.kind === 'resync' || d.kind === 'resolve-in-doubt'
    ? d.steps.map((s) => channelCommand(s, 'CZ.TO.CCB', d.kind === 'resync' ? d.seqnum : undefined))
    : [];
const noBackout = { backedOut: false };

describe('the value to set', () => {
  it('is the number the receiving end expects next: its last committed number + 1', () => {
    assert.equal(nextSequenceNumber(125, 999_999_999), 126);
    assert.equal(nextSequenceNumber(0, 999_999_999), 1);
  });

  it('wraps to 1 after SEQWRAP', () => {
    assert.equal(nextSequenceNumber(999_999_999, 999_999_999), 1);
    assert.equal(nextSequenceNumber(5000, 5000), 1);
  });
});

describe('channel decisions', () => {
  it('a stopped sender behind the receiver: RESET to the receiver + 1, then START, in that order', () => {
    const d = decideChannel(state(), noBackout);
    assert.equal(d.kind, 'resync');
    assert.deepEqual(commands(d), ['RESET CHANNEL(CZ.TO.CCB) SEQNUM(126)', 'START CHANNEL(CZ.TO.CCB)']);
  });

  it('a retrying sender is stopped first: STOP, RESET, START', () => {
    const d = decideChannel(state({ status: 'RETRYING' }), noBackout);
    assert.deepEqual(commands(d), [
      'STOP CHANNEL(CZ.TO.CCB) MODE(QUIESCE)',
      'RESET CHANNEL(CZ.TO.CCB) SEQNUM(126)',
      'START CHANNEL(CZ.TO.CCB)',
    ]);
  });

  it('an INACTIVE sender needs no STOP; a receiver behind the sender still gets its own next number', () => {
    const d = decideChannel(state({ status: 'INACTIVE' }, { lastSeq: 90 }), noBackout);
    assert.deepEqual(commands(d), ['RESET CHANNEL(CZ.TO.CCB) SEQNUM(91)', 'START CHANNEL(CZ.TO.CCB)']);
  });

  it('ends that agree need nothing — and a stopped channel is left to channel recovery', () => {
    const d = decideChannel(state({}, { lastSeq: 120 }), noBackout);
    assert.equal(d.kind, 'nothing-to-do');
    assert.match(d.why.zh, /channel-recovery/);
    assert.equal(
      decideChannel(state({ status: 'RUNNING' }, { lastSeq: 120 }), noBackout).kind,
      'nothing-to-do',
    );
  });

  it('a running channel whose saved numbers differ is not touched', () => {
    assert.equal(decideChannel(state({ status: 'RUNNING' }), noBackout).kind, 'unexpected-state');
  });

  it('stops with evidence when the channel is not defined or has no saved status', () => {
    assert.equal(decideChannel(state({}, {}, { defined: false }), noBackout).kind, 'unexpected-state');
    assert.equal(decideChannel(state({ lastSeq: undefined }), noBackout).kind, 'unexpected-state');
  });

  it("an unreadable receiving end stops the run, unless the bank's operator gave its number", () => {
    const d = decideChannel(state({}, null), noBackout);
    assert.equal(d.kind, 'unexpected-state');
    assert.match(d.why.zh, /bankLastSeq/);
    const reported = decideChannel(state({}, null), { backedOut: false, bankLastSeq: 125 });
    assert.deepEqual(commands(reported), [
      'RESET CHANNEL(CZ.TO.CCB) SEQNUM(126)',
      'START CHANNEL(CZ.TO.CCB)',
    ]);
    assert.match(reported.why.zh, /银行运维人员报告/);
  });

  it('a reported number that contradicts what the bank queue manager shows stops the run', () => {
    const d = decideChannel(state(), { backedOut: false, bankLastSeq: 119 });
    assert.equal(d.kind, 'unexpected-state');
    assert.match(d.why.en, /reported LSTSEQNO 119 but QM\.CCB shows 125/);
  });
});

describe('in-doubt batches', () => {
  const inDoubt = (receiverLast: number, status = 'STOPPED') =>
    state({ status, indoubt: true, lastSeq: 120, currentSeq: 123 }, { lastSeq: receiverLast });

  it('a batch the bank does not have (receiver = sender LSTSEQNO) is backed out — and only backed out', () => {
    const d = decideChannel(inDoubt(120), noBackout);
    assert.equal(d.kind, 'resolve-in-doubt');
    assert.deepEqual(commands(d), ['RESOLVE CHANNEL(CZ.TO.CCB) ACTION(BACKOUT)']);
    const retrying = decideChannel(inDoubt(120, 'RETRYING'), noBackout);
    assert.deepEqual(commands(retrying), [
      'STOP CHANNEL(CZ.TO.CCB) MODE(QUIESCE)',
      'RESOLVE CHANNEL(CZ.TO.CCB) ACTION(BACKOUT)',
    ]);
  });

  it('a batch the bank committed (receiver = CURSEQNO) is never backed out', () => {
    const d = decideChannel(inDoubt(123), noBackout);
    assert.equal(d.kind, 'unexpected-state');
    assert.match(d.why.en, /BACKOUT would deliver it twice/);
  });

  it('an in-doubt batch with an unknown or odd receiver number stops the run', () => {
    assert.equal(decideChannel(inDoubt(110), noBackout).kind, 'unexpected-state');
    const unreadable = state({ indoubt: true, currentSeq: 123 }, null);
    assert.equal(decideChannel(unreadable, noBackout).kind, 'unexpected-state');
    assert.equal(decideChannel(inDoubt(120, 'RUNNING'), noBackout).kind, 'unexpected-state');
  });

  it('after a backout, ends that agree are started (the second plan)', () => {
    const d = decideChannel(state({}, { lastSeq: 120 }), { backedOut: true });
    assert.deepEqual(commands(d), ['START CHANNEL(CZ.TO.CCB)']);
  });
});

describe('channel plans', () => {
  it('list the exact MQSC on the finance queue manager and explain the rule', () => {
    const d = decideChannel(state({ status: 'RETRYING' }), noBackout);
    assert.ok(d.kind === 'resync');
    const plan = resyncPlan(state({ status: 'RETRYING' }), bank, d, '日常巡检：AMQ9526');
    assert.deepEqual(
      plan.actions.map((a) => [a.kind, a.target, a.command]),
      [
        ['mqsc', 'QM.CZ', 'STOP CHANNEL(CZ.TO.CCB) MODE(QUIESCE)'],
        ['mqsc', 'QM.CZ', 'RESET CHANNEL(CZ.TO.CCB) SEQNUM(126)'],
        ['mqsc', 'QM.CZ', 'START CHANNEL(CZ.TO.CCB)'],
      ],
    );
    const text = plan.findings.map((f) => f.zh).join('\n');
    assert.match(text, /接收端 LSTSEQNO \+ 1/);
    assert.match(text, /银行端比财政端多提交了 5 个序号/);
    assert.match(text, /发起原因：日常巡检：AMQ9526/);
    assert.equal(plan.channel, 'CZ.TO.CCB');
  });

  it('the backout plan says the reset or start is asked for separately', () => {
    const s = state({ indoubt: true, currentSeq: 123 }, { lastSeq: 120 });
    const d = decideChannel(s, noBackout);
    assert.ok(d.kind === 'resolve-in-doubt');
    const plan = resolvePlan(s, bank, d);
    assert.deepEqual(
      plan.actions.map((a) => a.command),
      ['RESOLVE CHANNEL(CZ.TO.CCB) ACTION(BACKOUT)'],
    );
    assert.match(plan.findings.map((f) => f.en).join('\n'), /asks separately/);
  });

  it('RESET without a number is a programming error', () => {
    assert.throws(() => channelCommand('reset', 'CZ.TO.CCB'));
  });
});

describe('serials', () => {
  const fin = (over: Partial<SerialsState> = {}): SerialsState => ({
    bank: 'CCB',
    financeOut: 300,
    lastSent: { serial: 300, kind: 'direct_payment', refNo: 'ZZ1', at: '2026-11-27T01:00:00.000Z' },
    inFlight: 0,
    refusedForSerial: { count: 2, sample: ['ZZ2', 'ZZ3'] },
    ...over,
  });
  const answer = (last: number): BankSerialAnswer => ({
    queryId: 'sr-1',
    askedAbout: 'ZZ1',
    lastSerialAccepted: last,
    answeredAt: '2026-11-27T01:01:00.000Z',
  });

  it("realigns finance's serial to the bank's last accepted, with the guarded SQL in the plan", () => {
    const d = decideSerials(fin(), answer(303));
    assert.deepEqual(d.kind === 'realign' && [d.from, d.to], [300, 303]);
    assert.ok(d.kind === 'realign');
    const plan = serialsPlan(fin(), answer(303), bank, d);
    assert.deepEqual(
      plan.actions.map((a) => [a.kind, a.target, a.command]),
      [
        [
          'sql',
          'treasury',
          "UPDATE message_serials SET last_serial = 303, updated_at = :now WHERE bank_code = 'CCB' AND direction = 'out' AND last_serial = 300",
        ],
      ],
    );
    assert.match(plan.findings.map((f) => f.zh).join('\n'), /2 笔凭证因序号被银行拒绝/);
    assert.equal(serialsSql('CCB', 300, 303), plan.actions[0]?.command);
  });

  it('agreeing serials need nothing; messages in flight stop the run', () => {
    assert.equal(decideSerials(fin(), answer(300)).kind, 'nothing-to-do');
    assert.equal(decideSerials(fin({ inFlight: 1 }), answer(303)).kind, 'unexpected-state');
  });
});

describe('input', () => {
  const issues = (raw: unknown) => {
    const r = sequenceResyncInputSchema.safeParse(raw);
    return r.success ? [] : describeInputIssues(r.error);
  };

  it('names the wrong field', () => {
    assert.match(issues({ bank: 'ccb', requestedBy: 'eng' }).join(), /input\.bank: a bank code/);
    assert.match(issues({ bank: 'CCB', requestedBy: 'eng', scope: 'both' }).join(), /input\.scope/);
    assert.match(
      issues({ bank: 'CCB', requestedBy: 'eng', scope: 'serials', bankLastSeq: 4 }).join(),
      /input\.bankLastSeq: only for scope "channel"/,
    );
    assert.match(issues({ bank: 'CCB', requestedBy: 'eng', seqnum: 4 }).join(), /seqnum/);
    assert.deepEqual(issues({ bank: 'CCB', requestedBy: 'eng' }), []);
  });
});

describe('hand-overs', () => {
  it("the inspection's SEQUENCE_MISMATCH finding starts this runbook (by policy) with an input it accepts", () => {
    const [f] = followUpsFor(
      [
        {
          bank: 'CCB',
          check: 'channels',
          light: 'red',
          code: 'SEQUENCE_MISMATCH',
          summary: '发送通道 CZ.TO.CCB 因序列号不一致停止',
          fixRunbook: 'sequence-resync',
          evidence: {},
        },
      ],
      { 'sequence-resync': 'start' },
      '2026-11-27',
    );
    assert.equal(f?.workflowType, 'sequenceResync');
    assert.equal(f?.workflowId, 'sequence-resync/CZ.TO.CCB/2026-11-27');
    const parsed = sequenceResyncInputSchema.parse(f?.input);
    assert.equal(parsed.scope, 'channel');
    assert.equal(parsed.requestedBy, 'daily-inspection');
  });
});
