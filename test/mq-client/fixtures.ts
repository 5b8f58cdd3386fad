/**
 * MQSC outputs and mqweb response documents used by the mq-client tests. Each follows a shape
 * IBM documents (page named above it) or a published runmqsc transcript; only object names
 * are changed to the bureau's topology.
 */

// runmqsc (run MQSC commands) framing + DISPLAY CHSTATUS default attributes, two-column layout
// as in IBM's "Displaying channel status" and published runmqsc transcripts (several objects).
export const runmqscChstatusAll = `5724-H72 (C) Copyright IBM Corp. 1994, 2024.
Starting MQSC for queue manager QM.CZ.


     1 : DISPLAY CHSTATUS(*)
AMQ8417I: Display Channel Status details.
   CHANNEL(CZ.TO.ICBC)                     CHLTYPE(SDR)
   CONNAME(10.8.1.21(1414))                CURRENT
   RQMNAME(QM.ICBC)                        STATUS(RUNNING)
   SUBSTATE(MQGET)                         XMITQ(QM.ICBC)
AMQ8417I: Display Channel Status details.
   CHANNEL(ICBC.TO.CZ)                     CHLTYPE(RCVR)
   CONNAME(10.8.1.21)                      CURRENT
   RQMNAME(QM.ICBC)                        STATUS(RUNNING)
   SUBSTATE(RECEIVE)
AMQ8417I: Display Channel Status details.
   CHANNEL(CZ.TO.CCB)                      CHLTYPE(SDR)
   CONNAME(10.8.1.24(1414))                CURRENT
   RQMNAME( )                              STATUS(RETRYING)
   SUBSTATE( )                             XMITQ(QM.CCB)
One MQSC command read.
No commands have a syntax error.
All valid MQSC commands were processed.
`;

// DISPLAY CHSTATUS(name) ALL on a sender: the common and current-only status parameters listed
// on IBM's "DISPLAY CHSTATUS (display channel status)" page, runmqsc layout.
export const runmqscChstatusSenderAll = `5724-H72 (C) Copyright IBM Corp. 1994, 2024.
Starting MQSC for queue manager QM.CZ.


     1 : DISPLAY CHSTATUS(CZ.TO.CCB) ALL
AMQ8417I: Display Channel Status details.
   CHANNEL(CZ.TO.CCB)                      CHLTYPE(SDR)
   BATCHES(12)                             BATCHSZ(50)
   BUFSRCVD(15)                            BUFSSENT(40)
   BYTSRCVD(2124)                          BYTSSENT(38212)
   CHSTADA(2026-11-27)                     CHSTATI(08.31.02)
   COMPHDR(NONE,NONE)                      COMPMSG(NONE,NONE)
   COMPRATE(0,0)                           COMPTIME(0,0)
   CONNAME(10.8.1.24(1414))                CURRENT
   CURLUWID(A1B2C3D4E5F60708)              CURMSGS(3)
   CURSEQNO(45)                            EXITTIME(0,0)
   HBINT(300)                              INDOUBT(YES)
   JOBNAME(00001A2B00000003)               LOCLADDR(10.8.0.5(51234))
   LONGRTS(999999999)                      LSTLUWID(A1B2C3D4E5F60707)
   LSTMSGDA(2026-11-27)                    LSTMSGTI(10.15.44)
   LSTSEQNO(42)                            MAXMSGL(4194304)
   MCASTAT(RUNNING)                        MCAUSER( )
   MONCHL(OFF)                             MSGS(37)
   NETTIME(0,0)                            NPMSPEED(FAST)
   RAPPLTAG( )                             RPRODUCT(MQMM)
   RQMNAME(QM.CCB)                         RVERSION(09030000)
   SECPROT(NONE)                           SHORTRTS(10)
   SSLCERTI( )                             SSLKEYDA( )
   SSLKEYTI( )                             SSLPEER( )
   SSLRKEYS(0)                             STATUS(RUNNING)
   STOPREQ(NO)                             SUBSTATE(MQGET)
   XBATCHSZ(0,0)                           XMITQ(QM.CCB)
   XQMSGSA(0,0)                            XQTIME(0,0)
One MQSC command read.
No commands have a syntax error.
All valid MQSC commands were processed.
`;

// Channel with no status: runmqsc prints AMQ8420I and exits 10 (published transcripts; the
// summary line "One valid MQSC command could not be processed.").
export const runmqscChstatusNotFound = `5724-H72 (C) Copyright IBM Corp. 1994, 2024.
Starting MQSC for queue manager QM.CZ.


     1 : DISPLAY CHSTATUS(CZ.TO.RCB) ALL
AMQ8420I: Channel Status not found.
One MQSC command read.
No commands have a syntax error.
One valid MQSC command could not be processed.
`;

// DISPLAY QLOCAL(q) CURDEPTH, as in IBM's RDQM sample transcript ("dis ql(queue1) curdepth").
export const runmqscQueueDepth = `5724-H72 (C) Copyright IBM Corp. 1994, 2024.
Starting MQSC for queue manager QM.CZ.


     1 : DISPLAY QLOCAL(QM.CCB) CURDEPTH
AMQ8409I: Display Queue details.
   QUEUE(QM.CCB)                           TYPE(QLOCAL)
   CURDEPTH(17)
One MQSC command read.
No commands have a syntax error.
All valid MQSC commands were processed.
`;

// DISPLAY QLOCAL over a generic name: one AMQ8409I block per queue, as runmqsc lists them.
export const runmqscQueueDepths = `5724-H72 (C) Copyright IBM Corp. 1994, 2024.
Starting MQSC for queue manager QM.CZ.


     1 : DISPLAY QLOCAL(QM.*) CURDEPTH
AMQ8409I: Display Queue details.
   QUEUE(QM.ABC)                           TYPE(QLOCAL)
   CURDEPTH(0)
AMQ8409I: Display Queue details.
   QUEUE(QM.CCB)                           TYPE(QLOCAL)
   CURDEPTH(17)
AMQ8409I: Display Queue details.
   QUEUE(QM.ICBC)                          TYPE(QLOCAL)
   CURDEPTH(3)
One MQSC command read.
No commands have a syntax error.
All valid MQSC commands were processed.
`;

// DISPLAY QLOCAL ... DESCR: DESCR( ) for an empty description (IBM DISPLAY QUEUE output), and
// descriptions with blanks, parentheses and a doubled quote inside quotes (MQSC quoting rules).
export const runmqscQueueDescr = `     1 : DISPLAY QLOCAL(PAY.FROM.*) DESCR
AMQ8409I: Display Queue details.
   QUEUE(PAY.FROM.ICBC)                    TYPE(QLOCAL)
   DESCR('Inbound from ICBC (bank) - don''t purge')
AMQ8409I: Display Queue details.
   QUEUE(PAY.FROM.ABC)                     TYPE(QLOCAL)
   DESCR( )
AMQ8409I: Display Queue details.
   QUEUE(PAY.FROM.BOC)                     TYPE(QLOCAL)
   DESCR(Inbound from BOC (Bank of China))
`;

// DISPLAY QMGR DEADQ (IBM "Examples of commands and their replies" shows QMNAME + DEADQ).
export const runmqscDeadq = `5724-H72 (C) Copyright IBM Corp. 1994, 2024.
Starting MQSC for queue manager QM.CZ.


     1 : DISPLAY QMGR DEADQ
AMQ8408I: Display Queue Manager details.
   QMNAME(QM.CZ)                           DEADQ(SYSTEM.DEAD.LETTER.QUEUE)
One MQSC command read.
No commands have a syntax error.
All valid MQSC commands were processed.
`;

export const runmqscDeadqNone = `     1 : DISPLAY QMGR DEADQ
AMQ8408I: Display Queue Manager details.
   QMNAME(QM.ICBC)                         DEADQ( )
`;

// PING CHANNEL: AMQ8020 "Ping IBM MQ channel complete." (AMQ8xxx catalogue).
export const runmqscPingOk = `5724-H72 (C) Copyright IBM Corp. 1994, 2024.
Starting MQSC for queue manager QM.CZ.


     1 : PING CHANNEL(CZ.TO.ICBC)
AMQ8020I: Ping IBM MQ channel complete.
One MQSC command read.
No commands have a syntax error.
All valid MQSC commands were processed.
`;

// PING CHANNEL failing: AMQ9202 "Remote host <insert> not available, retry later." (AMQ9xxx).
export const runmqscPingFailed = `5724-H72 (C) Copyright IBM Corp. 1994, 2024.
Starting MQSC for queue manager QM.CZ.


     1 : PING CHANNEL(CZ.TO.CCB)
AMQ9202E: Remote host '10.8.1.24 (10.8.1.24) (1414)' not available, retry later.
One MQSC command read.
No commands have a syntax error.
One valid MQSC command could not be processed.
`;

// STOP CHANNEL: AMQ8019 "Stop IBM MQ channel accepted." (AMQ8xxx catalogue).
export const runmqscStopOk = `5724-H72 (C) Copyright IBM Corp. 1994, 2024.
Starting MQSC for queue manager QM.CZ.


     1 : STOP CHANNEL(CZ.TO.CCB) MODE(QUIESCE)
AMQ8019I: Stop IBM MQ channel accepted.
One MQSC command read.
No commands have a syntax error.
All valid MQSC commands were processed.
`;

// Object missing: AMQ8147E (MQRC_UNKNOWN_OBJECT_NAME), exit 10.
export const runmqscUnknownQueue = `5724-H72 (C) Copyright IBM Corp. 1994, 2024.
Starting MQSC for queue manager QM.CZ.


     1 : DISPLAY QLOCAL(NO.SUCH.QUEUE) CURDEPTH
AMQ8147E: IBM MQ object NO.SUCH.QUEUE not found.
One MQSC command read.
No commands have a syntax error.
One valid MQSC command could not be processed.
`;

// Queue manager not running: runmqsc prints AMQ8146E and ends with exit code 20.
export const runmqscQmgrNotAvailable = `5724-H72 (C) Copyright IBM Corp. 1994, 2024.
Starting MQSC for queue manager QM.ABC.

AMQ8146E: IBM MQ queue manager not available.
`;

// mqweb POST …/mqsc runCommand: response shape per IBM "POST - plain text MQSC command"
// (commandResponse[] with completionCode, reasonCode, text[]; overall codes).
export const mqwebDisplayChstatus = {
  commandResponse: [
    {
      completionCode: 0,
      reasonCode: 0,
      text: [
        'AMQ8417I: Display Channel Status details.   CHANNEL(CZ.TO.ICBC)                     CHLTYPE(SDR)   CONNAME(10.8.1.21(1414))                CURRENT   RQMNAME(QM.ICBC)                        STATUS(RUNNING)   SUBSTATE(MQGET)                         XMITQ(QM.ICBC)',
      ],
    },
  ],
  overallCompletionCode: 0,
  overallReasonCode: 0,
};

export const mqwebChstatusNotFound = {
  commandResponse: [{ completionCode: 2, reasonCode: 3065, text: ['AMQ8420I: Channel Status not found.'] }],
  overallCompletionCode: 2,
  overallReasonCode: 3008,
};

export const mqwebDefineChannel = {
  commandResponse: [{ completionCode: 0, reasonCode: 0, text: ['AMQ8014I: IBM MQ channel created.'] }],
  overallReasonCode: 0,
  overallCompletionCode: 0,
};

// mqweb runCommandJSON: response per IBM "POST - JSON formatted command" (parameters objects,
// lower-case keys) and the per-item failure shape with message[].
export const mqwebJsonChstatus = {
  commandResponse: [
    {
      completionCode: 0,
      reasonCode: 0,
      parameters: {
        channel: 'CZ.TO.ICBC',
        chltype: 'SDR',
        status: 'RUNNING',
        substate: 'MQGET',
        lstseqno: 42,
        curseqno: 42,
        indoubt: 'NO',
        conname: '10.8.1.21(1414)',
        xmitq: 'QM.ICBC',
      },
    },
  ],
  overallCompletionCode: 0,
  overallReasonCode: 0,
};

export const mqwebJsonUnknownQueue = {
  commandResponse: [
    { completionCode: 2, reasonCode: 2085, message: ['AMQ8147E: IBM MQ object NO.SUCH.QUEUE not found.'] },
  ],
  overallReasonCode: 3008,
  overallCompletionCode: 2,
};

// REST API error handling page: unknown queue manager, HTTP 404.
export const mqwebUnknownQmgr = {
  error: [
    {
      type: 'rest',
      msgId: 'MQWB0009E',
      message: "MQWB0009E: Could not query the queue manager 'QM.NOPE'.",
      explanation: 'The MQ REST API was invoked specifying a queue manager name which cannot be located.',
      action:
        'Resubmit the request with a valid queue manager name or no queue manager name, to retrieve a list of queue managers.',
    },
  ],
};
