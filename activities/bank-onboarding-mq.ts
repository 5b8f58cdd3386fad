/**
 * Comm-zone activities for adding an agent bank: look at finance's queue manager for the objects
 * the new bank needs (absent, already as planned, or in the way), at the bank's own queue manager
 * for its ends of the channel pair, at its front end and its send/receive programs; define the
 * objects with exactly the MQSC the approver saw (add-agent-bank.plan.ts renders it for both),
 * start the sender, and read both channels afterwards. The bank is not in the estate yet, so
 * everything arrives as arguments rather than by bank code.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { HostPort } from '../connectors/host/port.ts';
import { MqCommandError, MqInvalidNameError, MqwebApiError } from '../connectors/mq/errors.ts';
import { createMqOperations } from '../connectors/mq/mq-operations.ts';
import { assertMqName } from '../connectors/mq/mqsc-names.ts';
import { MqUnreachableError, type MqAdminPort } from '../connectors/mq/port.ts';
import type { ChannelActionResult } from '../domain/channel-action.ts';
import { ErrorKind } from '../domain/errors.ts';
import { compareObject, displayFor, mqscFor, startMqsc } from '../domain/runbooks/add-agent-bank.plan.ts';
import type {
  BankSideSurvey,
  MqObjectSpec,
  MqObjectSurvey,
  NewBank,
} from '../domain/runbooks/add-agent-bank.types.ts';
import type { FrontEndCheck, ProgramsCheck } from '../domain/runbooks/daily-inspection.types.ts';
import type { SiteConfig } from '../temporal.config.ts';
import { probeFrontEnd } from './host.ts';
import { mqCall, tolerate } from './mq.ts';
import { mqscAction, requiresProof } from './proof-actions.ts';

const MQRC_UNKNOWN_OBJECT_NAME = 2085;

export function createBankOnboardingMqActivities({
  mq,
  host,
  site,
}: {
  mq: MqAdminPort;
  host: HostPort;
  site: SiteConfig;
}) {
  const ops = createMqOperations(mq);
  const finance = site.mq.financeQmgr;

  /** The object's attributes, or null when the queue manager has no object of that name. */
  const display = async (spec: MqObjectSpec): Promise<Record<string, string> | null> => {
    checkNames(spec);
    const command = displayFor(spec);
    const result = await mq.runMqsc(finance, command);
    const found = result.responses.find((r) => r.completionCode < 2 && Object.keys(r.attributes).length > 0);
    if (found) return found.attributes;
    const unknown = result.responses.some(
      (r) => r.reasonCode === MQRC_UNKNOWN_OBJECT_NAME || r.messageIds.some((id) => id.startsWith('AMQ8147')),
    );
    if (unknown) return null;
    throw new MqCommandError(
      finance,
      command,
      result.overallCompletionCode,
      result.overallReasonCode,
      result.responses.flatMap((r) => r.messageIds),
      result.responses.flatMap((r) => r.text),
    );
  };

  return {
    async surveyFinanceObjects({ objects }: { objects: MqObjectSpec[] }): Promise<MqObjectSurvey[]> {
      return mqCall(async () => {
        const out: MqObjectSurvey[] = [];
        for (const spec of objects) out.push(compareObject(spec, await display(spec)));
        return out;
      });
    },

    /** The bank's ends on its own queue manager, when the site may look there. */
    async surveyBankSide({ bank }: { bank: NewBank }): Promise<BankSideSurvey> {
      if (!bank.bankQmgrAccess) return { access: false };
      try {
        const [receiver, sender] = await Promise.all([
          ops.displayChannel(bank.qmgr, bank.senderChannel),
          ops.displayChannel(bank.qmgr, bank.receiverChannel),
        ]);
        return {
          access: true,
          reachable: true,
          detail: `${bank.qmgr} 可访问`,
          receiverDefined: receiver?.chltype === 'RCVR',
          senderDefined: sender?.chltype === 'SDR',
        };
      } catch (err) {
        // An unknown queue manager is mqweb's 404 (MQWB0009E); a dead endpoint is unreachable.
        if (err instanceof MqUnreachableError || (err instanceof MqwebApiError && err.status === 404)) {
          return {
            access: true,
            reachable: false,
            detail: err.message,
            receiverDefined: false,
            senderDefined: false,
          };
        }
        throw err;
      }
    },

    async probeNewFrontEnd({ frontEnd }: { frontEnd: NewBank['frontEnd'] }): Promise<FrontEndCheck> {
      return probeFrontEnd(host, site, frontEnd);
    },

    async checkNewPrograms({ programs }: { programs: NewBank['programs'] }): Promise<ProgramsCheck> {
      return { programs: await Promise.all(programs.map((p) => host.programStatus(p))) };
    },

    /**
     * DEFINE … REPLACE: a repeat (a retry after a lost reply, a re-run) defines the same object
     * again and succeeds. A refusal (another type in the way, a syntax the queue manager rejects)
     * will not change on retry, so it stops the run with the queue manager's answer.
     */
    defineFinanceObject: requiresProof(
      ({ spec }: { spec: MqObjectSpec }) => [mqscAction(finance, mqscFor(spec))],
      async ({ spec }): Promise<ChannelActionResult> => {
        checkNames(spec);
        const command = mqscFor(spec);
        return mqCall(async () => {
          const result = await mq.runMqsc(finance, command);
          const messageIds = result.responses.flatMap((r) => r.messageIds);
          const detail = result.responses
            .flatMap((r) => r.text)
            .map((t) => t.trim())
            .filter(Boolean)
            .join('\n');
          const failed =
            result.overallCompletionCode >= 2 || result.responses.some((r) => r.completionCode >= 2);
          if (failed) {
            throw ApplicationFailure.create({
              type: ErrorKind.MqCommandFailed,
              nonRetryable: true,
              message: `${finance}: "${command}" was refused: ${detail}`,
              details: [{ command, messageIds, detail }],
            });
          }
          return { command, messageIds, detail, alreadyDone: false };
        });
      },
    ),

    /** START CHANNEL; a channel already running (AMQ9514E, in use) counts as started. */
    startNewSender: requiresProof(
      ({ channel }: { channel: string }) => [mqscAction(finance, startMqsc(channel))],
      async ({ channel }): Promise<ChannelActionResult> =>
        mqCall(() => tolerate(() => ops.startChannel(finance, channel), 'AMQ9514', startMqsc(channel))),
    ),

    /** Both channels of the bank on finance's queue manager, after the test message. */
    async newBankChannels({ bank }: { bank: NewBank }): Promise<{ sender: string; receiver: string }> {
      return mqCall(async () => {
        const [sender, receiver] = await Promise.all([
          ops.displayChannelStatus(finance, bank.senderChannel),
          ops.displayChannelStatus(finance, bank.receiverChannel),
        ]);
        return { sender: sender.status, receiver: receiver.status };
      });
    },
  };
}

/** The names and CONNAME go into MQSC text: check them here too, whatever the caller checked. */
function checkNames(spec: MqObjectSpec): void {
  try {
    checkMqNames(spec);
  } catch (err) {
    if (!(err instanceof MqInvalidNameError)) throw err;
    throw ApplicationFailure.create({
      type: ErrorKind.InvalidInput,
      nonRetryable: true,
      message: err.message,
    });
  }
}

function checkMqNames(spec: MqObjectSpec): void {
  if (spec.type === 'SDR' || spec.type === 'RCVR') assertMqName('channel', spec.name);
  else assertMqName('queue', spec.name);
  if (spec.type === 'QLOCAL' && spec.xmitqFor) assertMqName('channel', spec.xmitqFor);
  if (spec.type === 'QREMOTE') {
    assertMqName('queue', spec.rname);
    assertMqName('qmgr', spec.rqmname);
    assertMqName('queue', spec.xmitq);
  }
  if (spec.type === 'SDR') {
    assertMqName('queue', spec.xmitq);
    if (!/^[A-Za-z0-9.-]+\(\d{1,5}\)$/.test(spec.conname)) {
      throw ApplicationFailure.create({
        type: ErrorKind.InvalidInput,
        nonRetryable: true,
        message: `conname: ${JSON.stringify(spec.conname)} is not host(port)`,
      });
    }
  }
  if (!/^[\x20-\x7e]{0,64}$/.test(spec.descr)) {
    throw ApplicationFailure.create({
      type: ErrorKind.InvalidInput,
      nonRetryable: true,
      message: `descr: ${JSON.stringify(spec.descr)} is not printable ASCII of at most 64 characters`,
    });
  }
}
