/**
 * mqweb's runCommandJSON form: `{ type, command, qualifier, name, parameters, responseParameters }`
 * turned into MQSC, run, and answered with `parameters` objects (lower-case attribute names,
 * numbers as JSON numbers) or `message` lines for failures, as the REST API documents.
 */
import type { MqEstate } from '../estate.ts';
import type { MqscOutcome } from './result.ts';
import { runMqsc } from './execute.ts';

export class JsonCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonCommandError';
  }
}

export interface RunCommandJsonBody {
  type: 'runCommandJSON';
  command: string;
  qualifier: string;
  name?: string;
  parameters?: Record<string, unknown>;
  responseParameters?: string[];
}

export interface JsonCommandResponse {
  commandResponse: Array<{
    completionCode: number;
    reasonCode: number;
    parameters?: Record<string, string | number>;
    message?: string[];
  }>;
  overallCompletionCode: number;
  overallReasonCode: number;
}

const numericAttrs = new Set([
  'batches',
  'batchsz',
  'batchhb',
  'batchint',
  'batchlim',
  'bufsrcvd',
  'bufssent',
  'bytsrcvd',
  'bytssent',
  'ccsid',
  'clwlprty',
  'clwlrank',
  'cmdlevel',
  'curdepth',
  'curmsgs',
  'curseqno',
  'defprty',
  'discint',
  'hbint',
  'ipprocs',
  'longrtr',
  'longrts',
  'longrty',
  'longtmr',
  'lstseqno',
  'maxdepth',
  'maxhands',
  'maxmsgl',
  'maxprty',
  'msgs',
  'mrrty',
  'mrtmr',
  'opprocs',
  'qdepthhi',
  'qdepthlo',
  'qsvcint',
  'retintvl',
  'seqwrap',
  'shortrts',
  'shortrty',
  'shorttmr',
  'sslrkeys',
  'trigdpth',
  'trigmpri',
  'xqmsgsa',
  'bothresh',
  'kaint',
]);

export function validateJsonCommand(body: Record<string, unknown>): RunCommandJsonBody {
  const str = (key: string, required: boolean): string | undefined => {
    const v = body[key];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || v.trim() === '')
      throw new JsonCommandError(`The '${key}' attribute must be a non-empty string.`);
    return v;
  };
  const command = str('command', true) ?? '';
  const qualifier = str('qualifier', true) ?? '';
  const name = str('name', false);
  const parameters = body.parameters;
  if (
    parameters !== undefined &&
    (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters))
  ) {
    throw new JsonCommandError("The 'parameters' attribute must be a JSON object.");
  }
  const rp = body.responseParameters;
  if (rp !== undefined && (!Array.isArray(rp) || rp.some((x) => typeof x !== 'string'))) {
    throw new JsonCommandError("The 'responseParameters' attribute must be an array of strings.");
  }
  return {
    type: 'runCommandJSON',
    command,
    qualifier,
    ...(name !== undefined ? { name } : {}),
    ...(parameters ? { parameters: parameters as Record<string, unknown> } : {}),
    ...(rp ? { responseParameters: rp as string[] } : {}),
  };
}

function quote(value: string): string {
  return /^[A-Z0-9._%/*]+$/.test(value) ? value : `'${value.replace(/'/g, "''")}'`;
}

export function toMqscText(cmd: RunCommandJsonBody): string {
  const parts = [
    cmd.command.toUpperCase(),
    cmd.name !== undefined
      ? `${cmd.qualifier.toUpperCase()}(${quote(cmd.name)})`
      : cmd.qualifier.toUpperCase(),
  ];
  for (const [key, value] of Object.entries(cmd.parameters ?? {})) {
    if (value === true || value === '') parts.push(key.toUpperCase());
    else if (Array.isArray(value))
      parts.push(`${key.toUpperCase()}(${value.map((v) => quote(String(v))).join(',')})`);
    else parts.push(`${key.toUpperCase()}(${quote(String(value).toUpperCase())})`);
  }
  for (const p of cmd.responseParameters ?? []) parts.push(p.toUpperCase());
  return parts.join(' ');
}

export function runMqscJson(estate: MqEstate, qmgr: string, body: RunCommandJsonBody): JsonCommandResponse {
  return toJsonResponse(runMqsc(estate, qmgr, toMqscText(body)));
}

export function toJsonResponse(out: MqscOutcome): JsonCommandResponse {
  return {
    commandResponse: out.items.map((i) => {
      if (i.completionCode !== 0)
        return { completionCode: i.completionCode, reasonCode: i.reasonCode, message: i.text };
      if (!i.attrs) return { completionCode: i.completionCode, reasonCode: i.reasonCode };
      const parameters: Record<string, string | number> = {};
      for (const a of i.attrs) {
        if (a.value === undefined) continue;
        const key = a.key.toLowerCase();
        parameters[key] = numericAttrs.has(key) && /^-?\d+$/.test(a.value) ? Number(a.value) : a.value;
      }
      return { completionCode: i.completionCode, reasonCode: i.reasonCode, parameters };
    }),
    overallCompletionCode: out.overallCompletionCode,
    overallReasonCode: out.overallReasonCode,
  };
}
