/**
 * Sequence resync's judgement, as pure functions: from the readings to what to do, the value to
 * set, and the plans approvers read (the exact MQSC or SQL, in order). Unit-tested branch by branch.
 *
 * The rule for the channel's number (IBM MQ, "RESET CHANNEL (reset message sequence number for a
 * channel)", https://www.ibm.com/docs/en/SSFKSJ_9.2.0/com.ibm.mq.ref.adm.doc/q086510_.html, and
 * the AMQ9526 entry of the AMQ9xxx message reference): the reset is issued at the SENDING end only
 * — issued to a sender, it also resets the receiving end to the same value the next time the
 * channel starts; issued to a receiver it resets that end alone. The channel must not be running
 * and no batch may be in doubt (RESOLVE first). The value: the number the receiving end expects
 * next, which AMQ9526 names ("…has been sent when sequence number <n> was expected"), i.e. the
 * receiver's last committed number (LSTSEQNO of DISPLAY CHSTATUS … SAVED) + 1, wrapping to 1
 * after SEQWRAP. Both ends then agree and the receiver's count goes on without a jump.
 */
import type { ApprovalPlan, Bilingual, PlanAction } from '../approvals/gate-types.ts';
import type {
  BankSerialAnswer,
  ChannelDecision,
  ChannelStep,
  SequenceEnd,
  SequenceState,
  SerialsDecision,
  SerialsState,
} from './sequence-resync.types.ts';

export interface BankRef {
  code: string;
  name: string;
}

/** Sequence numbers run 1…SEQWRAP, then start again at 1. */
export function nextSequenceNumber(lastSeq: number, seqwrap: number): number {
  return lastSeq >= seqwrap ? 1 : lastSeq + 1;
}

/** States in which RESET and RESOLVE are refused (AMQ9514): the channel must be stopped first. */
const notStopped = (status: string) => status !== 'STOPPED' && status !== 'INACTIVE';

/** The receiving end's last committed number, from its queue manager or the bank's word. */
function receiverLastSeq(
  s: SequenceState,
  bankLastSeq: number | undefined,
): { ok: true; value: number; source: Bilingual } | { ok: false; why: Bilingual } {
  const read = s.receiver.readable ? s.receiver.end.lastSeq : undefined;
  if (read !== undefined) {
    if (bankLastSeq !== undefined && bankLastSeq !== read) {
      return {
        ok: false,
        why: {
          zh: `银行报告的接收端序列号 ${bankLastSeq} 与银行队列管理器 ${s.bankQmgr} 上读到的 ${read} 不一致，请与银行核实后再处理`,
          en: `The bank reported LSTSEQNO ${bankLastSeq} but ${s.bankQmgr} shows ${read}; check with the bank first`,
        },
      };
    }
    return {
      ok: true,
      value: read,
      source: { zh: `银行队列管理器 ${s.bankQmgr} 的 SAVED 状态`, en: `the SAVED status on ${s.bankQmgr}` },
    };
  }
  if (bankLastSeq !== undefined)
    return { ok: true, value: bankLastSeq, source: { zh: '银行运维人员报告', en: "the bank's operator" } };
  const detail = s.receiver.readable ? '无已保存状态' : s.receiver.detail;
  return {
    ok: false,
    why: {
      zh: `无法读取银行端接收通道 ${s.channel}（${detail}）；请银行提供 DISPLAY CHSTATUS(${s.channel}) SAVED 的 LSTSEQNO，作为 bankLastSeq 重新发起`,
      en: `The receiving end of ${s.channel} cannot be read (${detail}); ask the bank for its LSTSEQNO and start again with bankLastSeq`,
    },
  };
}

export function decideChannel(
  s: SequenceState,
  ctx: { backedOut: boolean; bankLastSeq?: number },
): ChannelDecision {
  const ch = s.channel;
  if (!s.defined) {
    return {
      kind: 'unexpected-state',
      why: {
        zh: `通道 ${ch} 在 ${s.qmgr} 上未定义（DISPLAY CHANNEL 未找到），请核对站点配置`,
        en: `Channel ${ch} is not defined on ${s.qmgr}; check the site configuration`,
      },
    };
  }
  const snd = s.sender;
  const S = snd.lastSeq;
  if (S === undefined) {
    return {
      kind: 'unexpected-state',
      why: {
        zh: `${s.qmgr} 上没有 ${ch} 的已保存状态，无法得知发送端序列号`,
        en: `${s.qmgr} holds no saved status for ${ch}: the sender's sequence number is unknown`,
      },
    };
  }
  const r = receiverLastSeq(s, ctx.bankLastSeq);

  if (snd.indoubt) {
    // In doubt while running or starting is MQ's own business (it resynchronises at start).
    if (!['STOPPED', 'INACTIVE', 'RETRYING'].includes(snd.status)) {
      return {
        kind: 'unexpected-state',
        why: {
          zh: `${ch} 处于 ${snd.status} 状态却有未决批次，不符合预期，不做处理`,
          en: `${ch} is ${snd.status} yet in doubt; not touching it`,
        },
      };
    }
    if (!r.ok) {
      return {
        kind: 'unexpected-state',
        why: {
          zh: `${ch} 有未决批次，但${r.why.zh}；不知道银行是否已提交该批次，回退（BACKOUT）可能导致重复送达`,
          en: `${ch} is in doubt, but: ${r.why.en}. Without it a BACKOUT could deliver the batch twice`,
        },
      };
    }
    const C = snd.currentSeq ?? S;
    if (r.value === S) {
      return {
        kind: 'resolve-in-doubt',
        steps: [...(notStopped(snd.status) ? (['stop'] as const) : []), 'resolve'],
        why: {
          zh: `${ch} 有未决批次（序号 ${S + 1}–${C}），银行端最后提交序号 ${r.value} 等于财政端已提交序号，银行未收到该批次：回退（BACKOUT）将其放回传输队列，通道启动后重新发送`,
          en: `${ch} has a batch in doubt (${S + 1}–${C}); the receiver's last committed number ${r.value} equals the sender's, so the bank does not have it: BACKOUT returns it to the transmission queue`,
        },
      };
    }
    if (r.value === C) {
      return {
        kind: 'unexpected-state',
        why: {
          zh: `${ch} 的未决批次（序号 ${S + 1}–${C}）银行端已提交（接收端 LSTSEQNO ${r.value}）：回退会使其重复送达，应由人员与银行确认后以 COMMIT 处理，本流程只做 BACKOUT，不予处理`,
          en: `The bank committed ${ch}'s in-doubt batch (receiver LSTSEQNO ${r.value} = CURSEQNO): a BACKOUT would deliver it twice; COMMIT is for a person with the bank's confirmation, not this runbook`,
        },
      };
    }
    return {
      kind: 'unexpected-state',
      why: {
        zh: `${ch} 有未决批次，银行端序列号 ${r.value} 既不等于财政端已提交序号 ${S}，也不等于批次末序号 ${C}，无法判断，不做处理`,
        en: `${ch} is in doubt and the receiver's ${r.value} matches neither the sender's ${S} nor the batch end ${C}`,
      },
    };
  }

  if (snd.status === 'RUNNING') {
    if (r.ok && r.value !== S) {
      return {
        kind: 'unexpected-state',
        why: {
          zh: `${ch} 正在运行，但两端已保存序列号不同（财政端 ${S}，银行端 ${r.value}），可能有批次正在传输；请稍后重新读取`,
          en: `${ch} is running but the saved numbers differ (${S} vs ${r.value}); a batch may be in flight, read again later`,
        },
      };
    }
    return {
      kind: 'nothing-to-do',
      why: {
        zh: `${ch} 正在运行，两端序列号一致（${S}），无需重置`,
        en: `${ch} is running and both ends agree (${S}); nothing to reset`,
      },
    };
  }
  if (!r.ok) return { kind: 'unexpected-state', why: r.why };
  if (r.value === S) {
    if (ctx.backedOut) {
      return {
        kind: 'resync',
        steps: ['start'],
        why: {
          zh: `未决批次已回退，两端序列号一致（${S}），启动 ${ch} 重新发送传输队列中的 ${s.xmitqDepth} 条消息`,
          en: `The in-doubt batch is backed out and both ends agree (${S}); start ${ch} to send the ${s.xmitqDepth} queued messages`,
        },
      };
    }
    return {
      kind: 'nothing-to-do',
      why: {
        zh: `两端序列号一致（${S}），无需重置；${ch} 处于 ${snd.status} 状态，如需启动请使用通道恢复（channel-recovery）`,
        en: `Both ends agree (${S}); nothing to reset. ${ch} is ${snd.status}: use channel-recovery to start it`,
      },
    };
  }
  const seqnum = nextSequenceNumber(r.value, s.seqwrap);
  return {
    kind: 'resync',
    steps: [...(notStopped(snd.status) ? (['stop'] as const) : []), 'reset', 'start'],
    seqnum,
    why: {
      zh: `两端序列号不一致（AMQ9526）：财政端 ${S}，银行端 ${r.value}（${r.source.zh}）；在发送端将序列号重置为接收端期望的下一序号 ${seqnum}`,
      en: `The ends disagree (AMQ9526): sender ${S}, receiver ${r.value} (${r.source.en}); reset the sending end to the number the receiver expects next, ${seqnum}`,
    },
  };
}

/** The exact MQSC an operator types for a step. */
export function channelCommand(step: ChannelStep, channel: string, seqnum?: number): string {
  switch (step) {
    case 'stop':
      return `STOP CHANNEL(${channel}) MODE(QUIESCE)`;
    case 'resolve':
      return `RESOLVE CHANNEL(${channel}) ACTION(BACKOUT)`;
    case 'reset':
      // A bug if reached: a plain Error fails the workflow task, retried until a fixed build is deployed.
      if (seqnum === undefined) throw new Error('RESET CHANNEL needs a sequence number');
      return `RESET CHANNEL(${channel}) SEQNUM(${seqnum})`;
    case 'start':
      return `START CHANNEL(${channel})`;
  }
}

const stepText: Record<ChannelStep, Bilingual> = {
  stop: { zh: '停止发送通道（处理完当前批次后停止）', en: 'Stop the sender channel after the current batch' },
  resolve: {
    zh: '回退未决批次：消息放回传输队列，待通道启动后重新发送',
    en: 'Back out the in-doubt batch: its messages return to the transmission queue',
  },
  reset: {
    zh: '在发送端重置消息序列号（接收端在下次启动时被同步为同一值）',
    en: 'Reset the message sequence number at the sending end (the receiver follows at the next start)',
  },
  start: { zh: '启动发送通道', en: 'Start the sender channel' },
};

function mqscActions(s: SequenceState, steps: ChannelStep[], seqnum?: number): PlanAction[] {
  return steps.map((step) => ({
    kind: 'mqsc',
    target: s.qmgr,
    command: channelCommand(step, s.channel, seqnum),
    description: stepText[step],
  }));
}

const never = (e: SequenceEnd) => (e.noSavedStatus ? '（无已保存状态：从未提交批次，视为 0）' : '');

function numbersFinding(s: SequenceState): Bilingual {
  const snd = s.sender;
  const rcv = s.receiver.readable ? s.receiver.end : undefined;
  const sender = `财政端 ${s.qmgr} 发送端：${snd.status}，LSTSEQNO ${snd.lastSeq ?? '未知'}${never(snd)}，CURSEQNO ${snd.currentSeq ?? '未知'}${snd.indoubt ? '，INDOUBT(YES)' : ''}`;
  const receiver = rcv
    ? `银行端 ${s.bankQmgr} 接收端：${rcv.status}，LSTSEQNO ${rcv.lastSeq ?? '未知'}${never(rcv)}`
    : `银行端 ${s.bankQmgr} 接收端：无法读取（${s.receiver.readable ? '' : s.receiver.detail}）`;
  return {
    zh: `${sender}；${receiver}；传输队列 ${s.xmitq} 积压 ${s.xmitqDepth} 条`,
    en: `Sender on ${s.qmgr}: ${snd.status}, LSTSEQNO ${snd.lastSeq ?? '?'}, CURSEQNO ${snd.currentSeq ?? '?'}${snd.indoubt ? ', in doubt' : ''}; receiver on ${s.bankQmgr}: ${rcv ? `${rcv.status}, LSTSEQNO ${rcv.lastSeq ?? '?'}` : 'not readable'}; ${s.xmitqDepth} messages on ${s.xmitq}`,
  };
}

const reasonFinding = (reason?: string): Bilingual[] =>
  reason ? [{ zh: `发起原因：${reason}`, en: `Reason given: ${reason}` }] : [];

export function resolvePlan(
  s: SequenceState,
  bank: BankRef,
  d: Extract<ChannelDecision, { kind: 'resolve-in-doubt' }>,
  reason?: string,
): ApprovalPlan {
  return {
    runbook: 'sequence-resync',
    title: {
      zh: `回退${bank.name}通道 ${s.channel} 的未决批次`,
      en: `Back out the in-doubt batch of ${bank.code} channel ${s.channel}`,
    },
    bank: { code: bank.code, name: bank.name },
    channel: s.channel,
    findings: [
      d.why,
      numbersFinding(s),
      {
        zh: '本审批只涉及回退（BACKOUT）；回退后流程将重新读取两端序列号，启动或重置通道需另行审批',
        en: 'This approval covers the BACKOUT only; the runbook then reads both ends again and asks separately to reset or start',
      },
      ...reasonFinding(reason),
    ],
    actions: mqscActions(s, d.steps),
  };
}

export function resyncPlan(
  s: SequenceState,
  bank: BankRef,
  d: Extract<ChannelDecision, { kind: 'resync' }>,
  reason?: string,
): ApprovalPlan {
  const S = s.sender.lastSeq ?? 0;
  const findings: Bilingual[] = [d.why, numbersFinding(s)];
  if (d.seqnum !== undefined) {
    findings.push({
      zh: `规则（IBM MQ RESET CHANNEL 文档）：只在发送端执行 RESET CHANNEL，接收端在下次启动时被重置为同一值；取值为接收端期望的下一序号（接收端 LSTSEQNO + 1，即 AMQ9526 中 “was expected” 的序号）= ${d.seqnum}`,
      en: `Rule (IBM MQ, RESET CHANNEL): reset at the sending end only; the receiver is reset to the same value at the next start. Value: the number the receiver expects next (its LSTSEQNO + 1, the "expected" number of AMQ9526) = ${d.seqnum}`,
    });
    const R = d.seqnum === 1 ? s.seqwrap : d.seqnum - 1;
    if (R > S) {
      findings.push({
        zh: `银行端比财政端多提交了 ${R - S} 个序号：若财政端队列管理器曾从备份恢复，传输队列中的部分消息可能已送达银行；银行按凭证号去重，不会重复支付，仍请关注回执`,
        en: `The receiver is ${R - S} ahead: if the finance queue manager was restored from a backup, some queued messages may already be at the bank; the bank deduplicates by voucher number`,
      });
    } else if (R < S) {
      findings.push({
        zh: `财政端比银行端多提交了 ${S - R} 个序号：银行端队列管理器可能从备份恢复，最近 ${S - R} 条消息可能在银行端丢失，请与银行核对（失败凭证修复与重发流程会逐笔查询）`,
        en: `The sender is ${S - R} ahead: the bank's queue manager may have been restored, and the last ${S - R} messages may be lost there; check with the bank (voucher-resend asks voucher by voucher)`,
      });
    }
  }
  findings.push(...reasonFinding(reason));
  return {
    runbook: 'sequence-resync',
    title: {
      zh: `${bank.name}通道 ${s.channel} 序列号重置`,
      en: `Sequence resync of ${bank.code} channel ${s.channel}`,
    },
    bank: { code: bank.code, name: bank.name },
    channel: s.channel,
    findings,
    actions: mqscActions(s, d.steps, d.seqnum),
  };
}

export function decideSerials(fin: SerialsState, answer: BankSerialAnswer): SerialsDecision {
  const B = answer.lastSerialAccepted;
  const F = fin.financeOut;
  if (fin.inFlight > 0) {
    return {
      kind: 'unexpected-state',
      why: {
        zh: `有 ${fin.inFlight} 笔报文已发送但尚未收到银行答复，此时调整序号可能使同一序号被使用两次；请待其答复或经失败凭证修复流程处理后再做`,
        en: `${fin.inFlight} messages are sent without an answer yet; realigning now could give one serial twice`,
      },
    };
  }
  if (F === B) {
    return {
      kind: 'nothing-to-do',
      why: {
        zh: `财政端发出序号（${F}）与银行最后接受的序号（${B}）一致，无需调整`,
        en: `Finance's last serial (${F}) and the bank's last accepted (${B}) agree`,
      },
    };
  }
  return {
    kind: 'realign',
    from: F,
    to: B,
    why: {
      zh: `报文序号不一致：财政端最后发出 ${F}，银行最后接受 ${B}（银行状态查询答复）；将财政端发出序号调整为 ${B}，下一笔报文使用银行期望的 ${B + 1}`,
      en: `Serials out of step: finance's last ${F}, the bank's last accepted ${B} (its status answer); set finance's to ${B} so the next message carries ${B + 1}`,
    },
  };
}

/** The statement the realignment runs, with its values; the guard on the old value refuses a moved serial. */
export function serialsSql(bank: string, from: number, to: number): string {
  return (
    `UPDATE message_serials SET last_serial = ${to}, updated_at = :now ` +
    `WHERE bank_code = '${bank}' AND direction = 'out' AND last_serial = ${from}`
  );
}

export function serialsPlan(
  fin: SerialsState,
  answer: BankSerialAnswer,
  bank: BankRef,
  d: Extract<SerialsDecision, { kind: 'realign' }>,
  reason?: string,
): ApprovalPlan {
  const findings: Bilingual[] = [
    d.why,
    {
      zh: `银行答复：最后接受序号 ${answer.lastSerialAccepted}（查询 ${answer.askedAbout}，${answer.answeredAt}）`,
      en: `The bank's answer: last accepted ${answer.lastSerialAccepted} (asked about ${answer.askedAbout} at ${answer.answeredAt})`,
    },
  ];
  if (fin.lastSent) {
    findings.push({
      zh: `财政端最后发出的报文：序号 ${fin.lastSent.serial}，${fin.lastSent.kind} ${fin.lastSent.refNo ?? ''}（${fin.lastSent.at}）`,
      en: `Finance's last message to the bank: serial ${fin.lastSent.serial}, ${fin.lastSent.kind} ${fin.lastSent.refNo ?? ''}`,
    });
  }
  if (fin.refusedForSerial.count > 0) {
    findings.push({
      zh: `${fin.refusedForSerial.count} 笔凭证因序号被银行拒绝（E_SERIAL），调整后请用失败凭证修复与重发流程重新发送（${fin.refusedForSerial.sample.join('、')}）`,
      en: `${fin.refusedForSerial.count} vouchers were refused for their serial (E_SERIAL); resend them with voucher-resend afterwards`,
    });
  }
  findings.push(...reasonFinding(reason));
  return {
    runbook: 'sequence-resync',
    title: { zh: `${bank.name}报文序号调整`, en: `Realign ${bank.code}'s message serials` },
    bank: { code: bank.code, name: bank.name },
    findings,
    actions: [
      {
        kind: 'sql',
        target: 'treasury',
        command: serialsSql(bank.code, d.from, d.to),
        description: {
          zh: `将财政端发往${bank.name}的最后序号由 ${d.from} 调整为 ${d.to}（下一笔为 ${d.to + 1}）`,
          en: `Set finance's last serial to ${bank.code} from ${d.from} to ${d.to} (the next is ${d.to + 1})`,
        },
      },
    ],
  };
}
