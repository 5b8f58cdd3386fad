/**
 * The MQ admin port, measured: each MQSC command's round trip to its queue manager
 * (`jincai_mq_command_duration_seconds`) and the commands that failed
 * (`jincai_mq_command_failures_total`), labelled by queue manager, the command's verb and object
 * type (`START CHANNEL` — never the object's name, so the series stay few) and how it ended.
 */
import type { MetricMeter } from '@temporalio/common';
import { MqUnreachableError, type MqAdminPort } from './port.ts';

/** How a command ended: its completion code, or why it never got one. */
type Ending = 'ok' | 'warning' | 'failed' | 'unreachable' | 'error';

export function meteredMqAdmin(mq: MqAdminPort, meter: MetricMeter): MqAdminPort {
  const duration = meter.createHistogram(
    'jincai_mq_command_duration',
    'float',
    'seconds',
    'Round trip of one MQSC command to its queue manager',
  );
  const failures = meter.createCounter(
    'jincai_mq_command_failures',
    'commands',
    'MQSC commands that failed, could not reach their queue manager or got no answer',
  );
  return {
    async runMqsc(qmgr, command) {
      const started = performance.now();
      const tell = (ending: Ending) => {
        const tags = { qmgr, command: mqscVerb(command), result: ending };
        duration.record((performance.now() - started) / 1000, tags);
        if (ending !== 'ok' && ending !== 'warning') failures.add(1, tags);
      };
      try {
        const result = await mq.runMqsc(qmgr, command);
        const cc = result.overallCompletionCode;
        tell(cc === 0 ? 'ok' : cc === 1 ? 'warning' : 'failed');
        return result;
      } catch (err) {
        tell(err instanceof MqUnreachableError ? 'unreachable' : 'error');
        throw err;
      }
    },
  };
}

/** The command's verb and object type (`DISPLAY CHSTATUS`); anything else as `OTHER`. */
export function mqscVerb(command: string): string {
  const words = command
    .trim()
    .toUpperCase()
    .split(/[\s(]+/, 2);
  return words.length === 2 && words.every((w) => /^[A-Z]{2,12}$/.test(w)) ? words.join(' ') : 'OTHER';
}
