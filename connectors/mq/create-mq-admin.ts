/**
 * Builds the MQ admin adapter the site file names (`mq.adapter`). Credentials are read from the
 * environment variables the site names at this moment — when a worker starts — never at import.
 */
import { secretFromEnv, type SiteConfig } from '../../temporal.config.ts';
import type { MqAdminPort } from './port.ts';
import { MqConfigError } from './errors.ts';
import { MqwebAdmin } from './mqweb-admin.ts';
import { RunmqscAdmin } from './runmqsc-admin.ts';

export interface MqAdminTuning {
  /** Per-request timeout for either adapter. */
  timeoutMs?: number;
}

export function createMqAdmin(
  mq: SiteConfig['mq'],
  env: NodeJS.ProcessEnv = process.env,
  tuning: MqAdminTuning = {},
): MqAdminPort {
  switch (mq.adapter) {
    case 'mqweb': {
      if (!mq.mqweb) throw new MqConfigError('mq.adapter is "mqweb" but mq.mqweb is missing');
      return new MqwebAdmin({
        baseUrl: mq.mqweb.baseUrl,
        user: secretFromEnv(mq.mqweb.userEnv, env),
        password: secretFromEnv(mq.mqweb.passwordEnv, env),
        ...(mq.mqweb.caFile && { caFile: mq.mqweb.caFile }),
        ...(tuning.timeoutMs && { timeoutMs: tuning.timeoutMs }),
      });
    }
    case 'runmqsc':
      return new RunmqscAdmin({
        command: mq.runmqsc?.command ?? 'runmqsc',
        env,
        ...(tuning.timeoutMs && { timeoutMs: tuning.timeoutMs }),
      });
    default: {
      const never: never = mq.adapter;
      throw new MqConfigError(`Unknown mq.adapter ${String(never)}`);
    }
  }
}
