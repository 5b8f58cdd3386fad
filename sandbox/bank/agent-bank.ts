/**
 * One agent bank's payment system: consumes finance's messages from PAY.IN on its own queue
 * manager, validates and books vouchers (never paying a voucher number twice), pays within its
 * business window, and answers on PAY.TO.CZ with acks, receipts, status answers, base-data acks
 * and, at the close of its window, the day's reports.
 */
import type { Logger } from 'pino';
import type { BankConfig } from '../../temporal.config.ts';
import { isWorkday, localDate, localTime, inWindow } from '../calendar.ts';
import type {
  AckBody,
  AppMessage,
  BaseDataAckBody,
  BaseDataBody,
  ReceiptBody,
  ReportKind,
  StatusAnswerBody,
  VoucherAnswersBody,
  VoucherBody,
  VoucherQueriesBody,
} from '../messages.ts';
import { buildMessage, FINANCE, parseMessage, reportKinds } from '../messages.ts';
import type { BankLedger, LedgerItem } from './ledger.ts';
import { buildReport } from './reports.ts';
import { rejectionCodes, validateVoucher } from './validate.ts';
import { createVoidRefundDesk } from './voids-refunds.ts';
import { createYearEndDesk } from './year-end-desk.ts';

/** The slice of the MQ model a bank needs: its own queue manager's queues. */
export interface BankQueues {
  put(qmgr: string, queue: string, body: string): unknown;
  get(qmgr: string, queue: string): { body: string } | undefined;
}

export interface AgentBankDeps {
  mq: BankQueues;
  ledger: BankLedger;
  now: () => Date;
  timeZone: string;
  log?: Logger;
  /** How long an accepted voucher waits before the bank pays it. */
  payDelayMs?: number;
  maxMessagesPerStep?: number;
}

export const bankInQueue = 'PAY.IN';
export const bankOutQueue = 'PAY.TO.CZ';

export type AgentBank = ReturnType<typeof createAgentBank>;

export function createAgentBank(config: BankConfig, deps: AgentBankDeps) {
  const { mq, ledger, now, timeZone } = deps;
  const code = config.code;
  const payDelayMs = deps.payDelayMs ?? 0;
  // Days on which the bank agreed other hours than its usual window (延时服务), by local date.
  const extendedHours = new Map<string, { open: string; close: string }>();
  const hoursAt = (at: Date) => extendedHours.get(localDate(at, timeZone)) ?? config.window;

  const reply = <B>(msgType: AppMessage['head']['msgType'], businessDate: string, body: B) => {
    const message = buildMessage(
      {
        msgType,
        serialNo: ledger.nextSerialOut(code),
        sender: code,
        receiver: FINANCE,
        sendTime: now(),
        businessDate,
      },
      body,
    );
    mq.put(config.qmgr, bankOutQueue, JSON.stringify(message));
  };

  /** Application serial rule: each message from finance carries last + 1 (1 again once the year has closed). */
  const serialRejection = (serial: number) => {
    const expected = (ledger.state(code)?.last_serial_in ?? 0) + 1;
    if (serial === expected || yearEnd.restartSerials(serial)) return undefined;
    return { code: rejectionCodes.serial, reason: `报文序号不连续：期望 ${expected}，收到 ${serial}` };
  };

  const desk = createVoidRefundDesk({ code, ledger, now, timeZone, reply, serialRejection });
  const yearEnd = createYearEndDesk({ code, ledger, now, reply, serialRejection });

  const sendReceipt = (item: LedgerItem) => {
    if (!item.paid_at || !item.receipt_no) return;
    const body: ReceiptBody = {
      receiptNo: item.receipt_no,
      voucherNo: item.ref_no,
      amountFen: item.amount_fen,
      paidDate: localDate(new Date(item.paid_at), timeZone),
      paidAt: item.paid_at,
    };
    reply('receipt', item.business_date, body);
  };

  const handleVoucher = (msg: AppMessage<Partial<VoucherBody>>) => {
    const body = msg.body;
    const voucherNo = String(body.voucherNo ?? '');
    const existing = voucherNo ? ledger.item(code, voucherNo) : undefined;
    const serialOk = serialRejection(msg.head.serialNo) === undefined;
    if (existing && existing.status !== 'rejected') {
      // A voucher number already booked is answered with its status and never paid again.
      if (serialOk) ledger.setLastSerialIn(code, msg.head.serialNo);
      const voided = existing.status === 'voided';
      const ack: AckBody = {
        refNo: voucherNo,
        refKind: 'voucher',
        result: voided ? 'rejected' : 'accepted',
        status: existing.status,
        code: voided ? 'E_VOIDED' : 'I_DUPLICATE',
        reason: voided ? '凭证已作废，不予处理' : '凭证已收到，不重复处理',
      };
      reply('voucher_ack', existing.business_date, ack);
      if (existing.status === 'paid') sendReceipt(existing);
      return;
    }
    const at = now();
    const rejection =
      serialRejection(msg.head.serialNo) ??
      validateVoucher(body as Record<string, unknown>, {
        acked: ledger.versions(code),
        localTime: localTime(at, timeZone),
        window: hoursAt(at),
      });
    if (rejection?.code !== rejectionCodes.serial) {
      ledger.transaction(() => {
        ledger.setLastSerialIn(code, msg.head.serialNo);
        if (!voucherNo) return;
        ledger.insertItem({
          bank_code: code,
          ref_no: voucherNo,
          kind: body.payType === 'authorized' ? 'authorized' : 'direct',
          amount_fen: typeof body.amountFen === 'number' ? body.amountFen : 0,
          payee_account_no: body.payeeAccountNo ?? null,
          status: rejection ? 'rejected' : 'accepted',
          business_date: msg.head.businessDate,
          received_at: at.toISOString(),
          paid_at: null,
          receipt_no: null,
          failure_code: rejection?.code ?? null,
          failure_reason: rejection?.reason ?? null,
          serial_no: msg.head.serialNo,
        });
      });
    }
    const ack: AckBody = {
      refNo: voucherNo,
      refKind: 'voucher',
      result: rejection ? 'rejected' : 'accepted',
      ...rejection,
    };
    reply('voucher_ack', msg.head.businessDate, ack);
  };

  const handleQuotaNotice = (msg: AppMessage) => {
    const noticeNo = String(msg.body.noticeNo ?? '');
    const existing = ledger.item(code, noticeNo);
    const rejection = existing ? undefined : serialRejection(msg.head.serialNo);
    if (!existing && !rejection) {
      ledger.transaction(() => {
        ledger.setLastSerialIn(code, msg.head.serialNo);
        ledger.insertItem({
          bank_code: code,
          ref_no: noticeNo,
          kind: 'quota_notice',
          amount_fen: Number(msg.body.amountFen ?? 0),
          payee_account_no: null,
          status: 'accepted',
          business_date: msg.head.businessDate,
          received_at: now().toISOString(),
          paid_at: null,
          receipt_no: null,
          failure_code: null,
          failure_reason: null,
          serial_no: msg.head.serialNo,
        });
        yearEnd.bookQuota(msg.body, msg.head.businessDate);
      });
    }
    const ack: AckBody = {
      refNo: noticeNo,
      refKind: 'quota_notice',
      result: rejection ? 'rejected' : 'accepted',
      ...rejection,
    };
    reply('voucher_ack', msg.head.businessDate, ack);
  };

  const handleBaseData = (msg: AppMessage<Partial<BaseDataBody>>) => {
    const { kind, version } = msg.body;
    const rejection = serialRejection(msg.head.serialNo);
    const valid =
      (kind === 'budget_unit' || kind === 'payee_account' || kind === 'subject') &&
      typeof version === 'number';
    if (!rejection && valid) {
      ledger.transaction(() => {
        ledger.setLastSerialIn(code, msg.head.serialNo);
        if (version > ledger.versions(code)[kind]) ledger.setVersion(code, kind, version);
      });
    }
    const ack: BaseDataAckBody = {
      kind: kind as BaseDataBody['kind'],
      version: Number(version),
      result: !rejection && valid ? 'accepted' : 'rejected',
      ...(rejection ? { reason: rejection.reason } : !valid ? { reason: '基础资料报文不完整' } : {}),
    };
    reply('base_data_ack', msg.head.businessDate, ack);
  };

  // Status queries are out of band: they do not take part in the serial sequence, so the
  // serial realignment runbook can use them to learn the bank's last accepted number.
  const voucherAnswer = (voucherNo: string, queryId: string | undefined, lastSerialAccepted: number) => {
    const item = ledger.item(code, voucherNo);
    const voided = desk.voidState(voucherNo);
    const refund = desk.refundOfVoucher(voucherNo);
    return {
      voucherNo,
      known: item !== undefined,
      ...(item && { status: item.status, paidAt: item.paid_at, amountFen: item.amount_fen }),
      ...(item?.receipt_no && { receiptNo: item.receipt_no }),
      ...(voided && { void: voided }),
      ...(refund && { refund }),
      lastSerialAccepted,
      ...(queryId && { queryId }),
    } satisfies StatusAnswerBody;
  };

  const handleStatusQuery = (msg: AppMessage) => {
    const lastSerialAccepted = ledger.state(code)?.last_serial_in ?? 0;
    const { queries } = msg.body as Partial<VoucherQueriesBody>;
    if (Array.isArray(queries)) {
      const answers = queries
        .filter((q) => typeof q?.voucherNo === 'string' && q.voucherNo !== '')
        .map((q) => voucherAnswer(q.voucherNo, q.queryId, lastSerialAccepted));
      reply('status_answer', msg.head.businessDate, {
        answers,
        lastSerialAccepted,
      } satisfies VoucherAnswersBody);
      return;
    }
    const { voucherNo, reportKind, reportDate, refundNo, queryId } = msg.body as Record<
      string,
      string | undefined
    >;
    const echo = queryId ? { queryId } : {};
    if (voucherNo) {
      reply('status_answer', msg.head.businessDate, voucherAnswer(voucherNo, queryId, lastSerialAccepted));
      return;
    }
    if (refundNo) {
      const refund = desk.refundState(refundNo);
      const answer: StatusAnswerBody = { refund, voucherNo: refund.voucherNo, lastSerialAccepted, ...echo };
      reply('status_answer', msg.head.businessDate, answer);
      return;
    }
    const kind = reportKinds.find((k) => k === reportKind);
    const resent = kind && reportDate ? sendReport(kind, reportDate) : false;
    const answer: StatusAnswerBody = { reportKind: kind, reportDate, resent, lastSerialAccepted, ...echo };
    reply('status_answer', msg.head.businessDate, answer);
  };

  /** Sends one report unless it is being held back (fault injection); returns whether sent. */
  const sendReport = (kind: ReportKind, reportDate: string): boolean => {
    if (ledger.isHeld(code, kind, reportDate)) return false;
    reply(kind, reportDate, buildReport(kind, reportDate, ledger.paidOn(code, reportDate)));
    ledger.markReportSent(code, kind, reportDate, now().toISOString());
    return true;
  };

  const handle = (text: string) => {
    const parsed = parseMessage(text);
    if (!parsed.ok) {
      deps.log?.warn({ bank: code, error: parsed.error }, 'bank discarded an unreadable message');
      return;
    }
    const msg = parsed.message;
    switch (msg.head.msgType) {
      case 'direct_payment':
      case 'authorized_payment':
        return handleVoucher(msg);
      case 'quota_notice':
        return handleQuotaNotice(msg);
      case 'base_data':
        return handleBaseData(msg);
      case 'status_query':
        return handleStatusQuery(msg);
      case 'void_request':
        return desk.handleVoidRequest(msg);
      case 'refund_request':
        return desk.handleRefundRequest(msg);
      case 'quota_cancel':
      case 'quota_restore':
        return yearEnd.handleNotice(msg);
      default:
        deps.log?.warn(
          { bank: code, msgType: msg.head.msgType },
          'bank ignored a message it does not expect',
        );
    }
  };

  /** Pays what is due, in one transaction — none at all when nothing is (most ticks of most banks). */
  const payDue = (at: Date) => {
    if (!inWindow(localTime(at, timeZone), hoursAt(at))) return;
    const due = ledger.dueForPayment(code, 100);
    if (due.length === 0) return;
    const today = localDate(at, timeZone);
    ledger.transaction(() => {
      // Receipts are numbered by the day's payments: counted once a round, not once a payment.
      let paidToday = ledger.countPaidOn(code, today);
      for (const item of due) {
        if (at.getTime() - Date.parse(item.received_at) < payDelayMs) continue;
        const receiptNo = `HD${today.replaceAll('-', '')}${code}${String(paidToday + 1).padStart(5, '0')}`;
        const paidAt = at.toISOString();
        if (ledger.pay(code, item.ref_no, item.amount_fen, paidAt, today, receiptNo)) {
          paidToday += 1;
          sendReceipt({ ...item, status: 'paid', paid_at: paidAt, receipt_no: receiptNo });
        }
      }
    });
  };

  // The day whose reports were all found sent, and the ledger's report marks then: until either
  // moves, the closed day is not looked at again on every tick.
  let closed: { day: string; marks: number } | undefined;
  const closeIfDue = (at: Date) => {
    const today = localDate(at, timeZone);
    if (!isWorkday(today) || localTime(at, timeZone) < config.window.close) return;
    if (closed?.day === today && closed.marks === ledger.reportMarks()) return;
    // A bank that has not received finance's base data yet (just onboarded) is not doing business.
    if (Object.values(ledger.versions(code)).some((v) => v === 0)) return;
    for (const kind of reportKinds) if (!ledger.reportSent(code, kind, today)) sendReport(kind, today);
    const marks = ledger.reportMarks();
    if (reportKinds.every((kind) => ledger.reportSent(code, kind, today))) closed = { day: today, marks };
  };

  return {
    code,
    config,
    /**
     * One round of work: read the queue, pay what is due, close the day when its window ends. The
     * messages of a round are booked in one transaction, and the payments in one more, as a bank's
     * system commits a batch under load rather than every message.
     */
    step() {
      const max = deps.maxMessagesPerStep ?? 50;
      const taken: string[] = [];
      for (let msg = mq.get(config.qmgr, bankInQueue); msg; msg = mq.get(config.qmgr, bankInQueue)) {
        taken.push(msg.body);
        if (taken.length >= max) break;
      }
      if (taken.length > 0)
        ledger.transaction(() => {
          for (const body of taken) {
            try {
              handle(body);
            } catch (err) {
              deps.log?.error({ bank: code, err }, 'bank failed to process a message');
            }
          }
        });
      yearEnd.answerParked();
      const at = now();
      payDue(at);
      closeIfDue(at);
    },
    /** Produces the reports of `date` on demand (skipping any held back). */
    closeDay(date = localDate(now(), timeZone)): ReportKind[] {
      return reportKinds.filter((kind) => sendReport(kind, date));
    },
    sendReport,
    /** The bank keeps other hours on `date` (local), as agreed with finance; the day closes as usual. */
    extendHours(date: string, hours: { open: string; close: string }) {
      extendedHours.set(date, hours);
    },
    /** Voids and refunds in this bank's books (faults and tests reach the desk here). */
    desk,
    /** Its quota book and the year-end notices (faults and tests reach the desk here). */
    yearEnd,
  };
}
