/**
 * The IBM MQ message texts and reason codes the sandbox prints, in one place so their wording
 * matches what runmqsc and mqweb print (IBM MQ 9.x, Multiplatforms).
 */

export const MQCC_OK = 0;
export const MQCC_WARNING = 1;
export const MQCC_FAILED = 2;

export const reason = {
  none: 0,
  unknownObjectName: 2085, // MQRC_UNKNOWN_OBJECT_NAME
  putInhibited: 2051, // MQRC_PUT_INHIBITED
  getInhibited: 2016, // MQRC_GET_INHIBITED
  qFull: 2053, // MQRC_Q_FULL
  unknownRemoteQmgr: 2087, // MQRC_UNKNOWN_REMOTE_Q_MGR
  commandFailed: 3008, // MQRCCF_COMMAND_FAILED
  chlStatusNotFound: 3065, // MQRCCF_CHL_STATUS_NOT_FOUND
  hostNotAvailable: 4010, // MQRCCF_HOST_NOT_AVAILABLE
  channelIndoubt: 4025, // MQRCCF_CHANNEL_INDOUBT
  channelInUse: 4031, // MQRCCF_CHANNEL_IN_USE
  channelNotFound: 4032, // MQRCCF_CHANNEL_NOT_FOUND
  remoteQmgrUnavailable: 4034, // MQRCCF_REMOTE_QM_UNAVAILABLE
  wrongChannelType: 4041, // MQRCCF_WRONG_CHANNEL_TYPE
  channelNotActive: 4064, // MQRCCF_CHANNEL_NOT_ACTIVE
  objectAlreadyExists: 4001, // MQRCCF_OBJECT_ALREADY_EXISTS
  objectWrongType: 4002, // MQRCCF_OBJECT_WRONG_TYPE
  syntaxError: 3008,
  notAuthorized: 2035, // MQRC_NOT_AUTHORIZED
} as const;

/** Names of the MQRC values used for dead letters, for logs and snapshots. */
export const reasonNames: Record<number, string> = {
  2085: 'MQRC_UNKNOWN_OBJECT_NAME',
  2051: 'MQRC_PUT_INHIBITED',
  2053: 'MQRC_Q_FULL',
  2087: 'MQRC_UNKNOWN_REMOTE_Q_MGR',
};

export const amq = {
  displayChstatus: 'AMQ8417I: Display Channel Status details.',
  chstatusNotFound: 'AMQ8420I: Channel Status not found.',
  displayChannel: 'AMQ8414I: Display Channel details.',
  displayQueue: 'AMQ8409I: Display Queue details.',
  displayQmgr: 'AMQ8408I: Display Queue Manager details.',
  objectNotFound: (name: string) => `AMQ8147E: IBM MQ object ${name} not found.`,
  notAuthorized: 'AMQ8135E: Not authorized.',
  startAccepted: 'AMQ8018I: Start IBM MQ channel accepted.',
  stopAccepted: 'AMQ8019I: Stop IBM MQ channel accepted.',
  pingComplete: 'AMQ8020I: Ping IBM MQ channel complete.',
  channelReset: 'AMQ8023I: IBM MQ channel reset.',
  // No public catalogue entry was found for RESOLVE's confirmation; this wording follows AMQ8018I/AMQ8019I.
  resolveAccepted: 'AMQ8026I: Resolve IBM MQ channel accepted.',
  syntaxError: 'AMQ8405E: Syntax error detected at or near end of command segment below:-',
  channelInUse: (ch: string) => `AMQ9514E: Channel '${ch}' is in use.`,
  channelNotFound: (ch: string) => `AMQ9519E: Channel '${ch}' not found.`,
  channelNotActive: (ch: string) => `AMQ9533E: Channel '${ch}' is not currently active.`,
  channelIndoubt: (ch: string) => `AMQ9528E: Channel '${ch}' is in doubt.`,
  notSuitable: 'AMQ9547E: Type of remote channel not suitable for action requested.',
  hostNotAvailable: (host: string) => `AMQ9202E: Remote host '${host}' not available, retry later.`,
  remoteChannelNotAvailable: (ch: string, host: string) =>
    `AMQ9558E: The remote channel '${ch}' on host '${host}' is not currently available.`,
  channelStarting: (ch: string) => `AMQ9002I: Channel '${ch}' is starting.`,
  channelEnded: (ch: string) => `AMQ9001I: Channel '${ch}' ended normally.`,
  channelEndedAbnormally: (ch: string, host: string) =>
    `AMQ9999E: Channel '${ch}' to host '${host}' ended abnormally.`,
  connectionClosed: (host: string) => `AMQ9209E: Connection to host '${host}' for channel closed.`,
  sequenceError: (ch: string, sent: number, expected: number) =>
    `AMQ9526E: Message sequence number error for channel '${ch}'. The local and remote channel definitions ` +
    `for channel '${ch}' have different sequence numbers. A message with sequence number ${sent} has been sent ` +
    `when sequence number ${expected} was expected.`,
  qmgrNotExist: 'AMQ8118E: IBM MQ queue manager does not exist.',
  qmgrNotAvailable: 'AMQ8146E: IBM MQ queue manager not available.',
  queueCreated: 'AMQ8006I: IBM MQ queue created.',
  channelCreated: 'AMQ8014I: IBM MQ channel created.',
  objectExists: 'AMQ8150E: IBM MQ object already exists.',
  // Wording as runmqsc prints it for MQRCCF_OBJECT_WRONG_TYPE (no catalogue page was at hand).
  objectWrongType: 'AMQ8151E: IBM MQ object has different type.',
  channelNotDefinedRemotely: (ch: string) =>
    `AMQ9520E: Channel not defined remotely. There is no definition of channel '${ch}' at the remote location.`,
} as const;

/** Message ids that make runmqsc count a command as a syntax error rather than a failure. */
export const syntaxErrorIds = new Set(['AMQ8405E', 'AMQ8409E', 'AMQ8427E']);
