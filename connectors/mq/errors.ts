/**
 * Typed failures of the MQ connectors, beyond the two the port defines (unreachable, auth):
 * an MQSC command the queue manager refused, an mqweb error document, a name we refuse to
 * send, and an adapter that cannot work on this machine. Callers branch on the class, never
 * on message text.
 */

/** An MQSC command ran but the queue manager reported failure (MQCC_FAILED or worse). */
export class MqCommandError extends Error {
  constructor(
    readonly qmgr: string,
    readonly command: string,
    readonly completionCode: number,
    readonly reasonCode: number,
    readonly messageIds: string[],
    readonly text: string[],
  ) {
    const detail = text.filter((t) => /\S/.test(t)).join(' | ');
    super(
      `${qmgr}: "${command}" failed (completion ${completionCode}, reason ${reasonCode})${detail ? `: ${detail}` : ''}`,
    );
    this.name = 'MqCommandError';
  }
}

/** The mqweb server answered with its own error document (`{"error":[{"msgId":"MQWB0009E",…}]}`). */
export class MqwebApiError extends Error {
  constructor(
    readonly qmgr: string,
    readonly status: number,
    readonly msgId: string,
    readonly explanation: string,
    readonly action: string,
    message: string,
    readonly reasonCode?: number,
  ) {
    super(`${qmgr}: mqweb HTTP ${status} ${msgId}: ${message}${explanation ? ` (${explanation})` : ''}`);
    this.name = 'MqwebApiError';
  }
}

/** An object name or command that would not be exactly one safe MQSC command. Never retry. */
export class MqInvalidNameError extends Error {
  constructor(
    readonly kind: string,
    readonly value: string,
    reason: string,
  ) {
    super(`Refusing ${kind} ${JSON.stringify(value)}: ${reason}`);
    this.name = 'MqInvalidNameError';
  }
}

/** The adapter cannot work here: a missing command, a missing client library, bad settings. */
export class MqConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MqConfigError';
  }
}
