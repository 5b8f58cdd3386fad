/**
 * Typed failures of the notification adapters. Callers branch on the class, never on message
 * text; no message ever carries a robot URL (its key is a credential) or a password.
 */

/** A target cannot be built: a missing environment variable, a value of the wrong shape. */
export class NotifyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotifyConfigError';
  }
}

/** One target did not take the notification (unreachable, timed out, refused). */
export class NotifyDeliveryError extends Error {
  constructor(
    readonly target: string,
    readonly reason: string,
    readonly code?: string,
  ) {
    super(`${target}: ${reason}`);
    this.name = 'NotifyDeliveryError';
  }
}

/** A chat robot answered, but with an `errcode` other than 0 (bad key, keyword, rate limit…). */
export class WebhookRejectedError extends NotifyDeliveryError {
  constructor(
    target: string,
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(
      target,
      `robot refused the message: errcode ${errcode}${errmsg ? ` (${errmsg})` : ''}`,
      'ROBOT_REJECTED',
    );
    this.name = 'WebhookRejectedError';
  }
}

export interface TargetFailure {
  target: string;
  reason: string;
  code?: string;
}

/** Some targets of a fan-out failed; the others have the notification. */
export class NotifyFanOutError extends Error {
  constructor(
    readonly failures: TargetFailure[],
    readonly delivered: string[],
  ) {
    super(
      `Notification not delivered to ${failures.length} of ${failures.length + delivered.length} targets: ` +
        failures.map((f) => `${f.target} (${f.reason})`).join('; '),
    );
    this.name = 'NotifyFanOutError';
  }
}
