/**
 * mqweb's error responses: the `{ "error": [ { msgId, type, message, explanation, action, … } ] }`
 * JSON the IBM MQ REST API returns with a non-2xx status, with the MQWB message ids it uses.
 */
import type { ServerResponse } from 'node:http';

export interface MqwbError {
  msgId: string;
  message: string;
  explanation: string;
  action: string;
  type?: 'rest' | 'pcf' | 'java' | 'mq';
  completionCode?: number;
  reasonCode?: number;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(
  res: ServerResponse,
  status: number,
  err: MqwbError,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: [{ type: 'rest', completionCode: 0, reasonCode: 0, ...err }] }, headers);
}

export const mqwb = {
  notAuthenticated: (path: string): MqwbError => ({
    msgId: 'MQWB0104E',
    message: `MQWB0104E: The REST API request to ${path} is not authenticated.`,
    explanation:
      'The REST API request cannot be completed because credentials were omitted from the request.',
    action: 'Resubmit the request with valid credentials.',
  }),
  csrfMissing: (): MqwbError => ({
    msgId: 'MQWB0100E',
    message: "MQWB0100E: The CSRF header 'ibm-mq-rest-csrf-token' was omitted from the request.",
    explanation: 'The REST API request cannot be completed because the CSRF header was omitted.',
    action: 'Resubmit the request with the correct CSRF header.',
  }),
  qmgrNotFound: (qmgr: string): MqwbError => ({
    msgId: 'MQWB0009E',
    message: `MQWB0009E: Could not query the queue manager '${qmgr}'.`,
    explanation: 'The REST API was invoked specifying a queue manager name which cannot be located.',
    action: 'Resubmit the request with a valid queue manager name.',
    completionCode: 2,
    reasonCode: 2058,
  }),
  badBody: (problem: string): MqwbError => ({
    msgId: 'MQWB0007E',
    message: `MQWB0007E: The request body is not valid: ${problem}`,
    explanation:
      'The REST API request cannot be completed because the JSON in the request body is malformed or incomplete.',
    action: 'Correct the request body and resubmit the request.',
  }),
  mqFailure: (reasonCode: number, reasonName: string, what: string): MqwbError => ({
    msgId: 'MQWB0004E',
    message: `MQWB0004E: An internal error occurred while communicating with the queue manager. The root MQ reason code was ${reasonCode} : ${reasonName}.`,
    explanation: `The REST API caught an exception when communicating with the queue manager (${what}).`,
    action: 'Rectify the problem and resubmit the request.',
    type: 'mq',
    completionCode: 2,
    reasonCode,
  }),
  unsupportedMediaType: (contentType: string): MqwbError => ({
    msgId: 'MQWB0111E',
    message: `MQWB0111E: The content type '${contentType}' is not supported.`,
    explanation: 'Messages can be sent only as text/plain, application/json or application/xml bodies.',
    action: 'Resubmit the request with a supported Content-Type header.',
  }),
};
