/** What one MQSC command on a channel did: the command, IBM MQ's message ids, and whether it was a repeat. */
export interface ChannelActionResult {
  command: string;
  messageIds: string[];
  detail: string;
  /** True when the channel was already in the wanted state (a repeat). */
  alreadyDone: boolean;
}
