/**
 * MqAdminPort over the IBM MQ administrative REST API (mqweb):
 * POST /ibmmq/rest/v2/admin/action/qmgr/{qmgr}/mqsc with runCommand (MQSC text in, text out,
 * parsed here) or runCommandJSON (structured in and out, mapped to the same MqscResult).
 */
import type { MqAdminPort, MqscObjectResponse, MqscResult } from './port.ts';
import { MqwebHttp, encodeQmgrSegment, type MqwebConnectionOptions } from './mqweb-http.ts';
import { messageIdsIn, parseMqscBlocks } from './mqsc-text.ts';
import { assertMqName, assertSingleCommand } from './mqsc-names.ts';
import { MqwebApiError } from './errors.ts';

export type MqwebAdminOptions = MqwebConnectionOptions;

export interface RunCommandJsonRequest {
  /** MQSC verb, e.g. `display`, `start`. */
  command: string;
  /** Object type, e.g. `chstatus`, `qlocal`, `qmgr`. */
  qualifier: string;
  name?: string;
  /** Lower-case keys as mqweb takes them, e.g. `{ "status": "RUNNING" }`. */
  parameters?: Record<string, string | number | boolean | string[]>;
  responseParameters?: string[];
}

interface CommandResponseItem {
  completionCode?: number;
  reasonCode?: number;
  text?: string[];
  message?: string[];
  parameters?: Record<string, unknown>;
}

interface CommandResponseBody {
  commandResponse?: CommandResponseItem[];
  overallCompletionCode?: number;
  overallReasonCode?: number;
}

export class MqwebAdmin implements MqAdminPort {
  readonly #http: MqwebHttp;

  constructor(options: MqwebAdminOptions) {
    this.#http = new MqwebHttp(options);
  }

  async runMqsc(qmgr: string, command: string): Promise<MqscResult> {
    assertMqName('qmgr', qmgr);
    const text = assertSingleCommand(command);
    const body = await this.#post(qmgr, { type: 'runCommand', parameters: { command: text } });
    return toResult(qmgr, text, body, (item) => {
      const lines = item.text ?? item.message ?? [];
      const attributes: Record<string, string> = {};
      const messageIds: string[] = [];
      for (const block of parseMqscBlocks(lines)) {
        Object.assign(attributes, block.attributes);
        if (block.messageId) messageIds.push(block.messageId);
      }
      return { text: lines, attributes, messageIds };
    });
  }

  async runCommandJson(qmgr: string, req: RunCommandJsonRequest): Promise<MqscResult> {
    assertMqName('qmgr', qmgr);
    const command = renderJsonCommand(req);
    assertSingleCommand(command);
    const body = await this.#post(qmgr, {
      type: 'runCommandJSON',
      command: req.command,
      qualifier: req.qualifier,
      ...(req.name !== undefined && { name: req.name }),
      ...(req.parameters && { parameters: req.parameters }),
      ...(req.responseParameters && { responseParameters: req.responseParameters }),
    });
    return toResult(qmgr, command, body, (item) => {
      const lines = item.message ?? item.text ?? [];
      return {
        text: lines,
        attributes: upperCaseAttributes(item.parameters ?? {}),
        messageIds: messageIdsIn(lines),
      };
    });
  }

  async #post(qmgr: string, payload: unknown): Promise<CommandResponseBody> {
    const reply = await this.#http.send(qmgr, {
      method: 'POST',
      path: `admin/action/qmgr/${encodeQmgrSegment(qmgr)}/mqsc`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    try {
      return JSON.parse(reply.body) as CommandResponseBody;
    } catch (err) {
      throw new MqwebApiError(
        qmgr,
        reply.status,
        '',
        '',
        '',
        `response is not JSON: ${(err as Error).message}`,
      );
    }
  }
}

function toResult(
  qmgr: string,
  command: string,
  body: CommandResponseBody,
  mapItem: (item: CommandResponseItem) => Pick<MqscObjectResponse, 'text' | 'attributes' | 'messageIds'>,
): MqscResult {
  const responses = (body.commandResponse ?? []).map((item) => ({
    completionCode: item.completionCode ?? 0,
    reasonCode: item.reasonCode ?? 0,
    ...mapItem(item),
  }));
  return {
    qmgr,
    command,
    overallCompletionCode:
      body.overallCompletionCode ?? Math.max(0, ...responses.map((r) => r.completionCode)),
    overallReasonCode: body.overallReasonCode ?? responses.find((r) => r.reasonCode !== 0)?.reasonCode ?? 0,
    responses,
  };
}

function upperCaseAttributes(parameters: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parameters)) {
    if (value === null || value === undefined) continue;
    out[key.toUpperCase()] = Array.isArray(value)
      ? value.map(String).join(',')
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  }
  return out;
}

/** The MQSC an operator would type for a runCommandJSON request, for logs, plans and errors. */
export function renderJsonCommand(req: RunCommandJsonRequest): string {
  const head = `${req.command.toUpperCase()} ${req.qualifier.toUpperCase()}${req.name !== undefined ? `(${req.name})` : ''}`;
  const params = Object.entries(req.parameters ?? {}).map(
    ([k, v]) => `${k.toUpperCase()}(${Array.isArray(v) ? v.join(',') : String(v)})`,
  );
  const wanted = req.responseParameters?.map((p) => p.toUpperCase()) ?? [];
  return [head, ...params, ...wanted].join(' ');
}
