/** A traffic light as report readers see it (the inspection's, subsystem health's). Pure. */
import type { Light } from '../runbooks/daily-inspection.types.ts';

export const lightLabel: Record<Light, string> = {
  green: '🟢 正常',
  yellow: '🟡 关注',
  red: '🔴 异常',
  skipped: '⚪ 未检查',
};
