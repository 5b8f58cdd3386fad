import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse as parseYaml, stringify } from 'yaml';
import {
  changeVerdict,
  freezeSchema,
  freezeWindows,
  type Freeze,
} from '../../domain/calendar/change-freezes.ts';
import { defaultSiteFile, parseSite, SiteConfigError } from '../../temporal.config.ts';

const yearEnd = freezeSchema.parse({
  name: '年终结转封网',
  from: '12-25',
  to: '01-05',
  reason: '年终结转期间冻结一切变更',
  exempt: ['year-end-rollover'],
  overrideRoles: ['finance-director'],
});
const upgrade = freezeSchema.parse({
  name: '省厅升级封网',
  from: '2027-01-06',
  to: '2027-01-08',
  reason: '省厅版本升级前后',
  overrideRoles: ['comm-approver'],
});
const tz = 'Asia/Shanghai';
const verdict = (freezes: Freeze[], runbook: string, at: string, isChange = true) =>
  changeVerdict({ freezes, runbook, isChange, at: new Date(at), timeZone: tz });

describe('the change calendar (封网)', () => {
  it('an every-year window runs over New Year, in Asia/Shanghai business days whatever the process zone', () => {
    assert.deepEqual(verdict([yearEnd], 'data-fix', '2026-12-24T23:59:59+08:00'), { allowed: true });
    // 2026-12-24T16:00Z is still the 24th in UTC, but already the 25th in Shanghai.
    const frozen = verdict([yearEnd], 'data-fix', '2026-12-24T16:00:00Z');
    assert.equal(frozen.allowed, false);
    assert.ok(!frozen.allowed);
    assert.equal(frozen.until, '2027-01-05T16:00:00.000Z', 'until 2027-01-06 00:00 Shanghai');
    assert.deepEqual(frozen.overrideRoles, ['finance-director']);
    assert.deepEqual(
      frozen.windows.map((w) => [w.name, w.from, w.to]),
      [['年终结转封网', '2026-12-25', '2027-01-05']],
    );
    assert.equal(verdict([yearEnd], 'data-fix', '2027-01-05T23:59:00+08:00').allowed, false);
    assert.deepEqual(verdict([yearEnd], 'data-fix', '2027-01-06T00:00:00+08:00'), { allowed: true });
    assert.equal(verdict([yearEnd], 'data-fix', '2025-12-31T12:00:00+08:00').allowed, false, 'every year');
  });

  it('exempt runbooks and runbooks that are not changes go ahead', () => {
    assert.deepEqual(verdict([yearEnd], 'year-end-rollover', '2026-12-28T10:00:00+08:00'), { allowed: true });
    assert.deepEqual(verdict([yearEnd], 'channel-recovery', '2026-12-28T10:00:00+08:00', false), {
      allowed: true,
    });
  });

  it('windows back to back hold a change until the last ends, and any of their roles may override', () => {
    const v = verdict([yearEnd, upgrade], 'version-upgrade', '2027-01-02T09:00:00+08:00');
    assert.ok(!v.allowed);
    assert.equal(v.until, '2027-01-08T16:00:00.000Z', 'until 2027-01-09 00:00 Shanghai');
    assert.deepEqual(v.overrideRoles, ['finance-director', 'comm-approver']);
    assert.deepEqual(
      freezeWindows([yearEnd, upgrade], '2026-12-01', '2027-01-31', tz).map(
        (w) => `${w.name} ${w.from}…${w.to}`,
      ),
      ['年终结转封网 2026-12-25…2027-01-05', '省厅升级封网 2027-01-06…2027-01-08'],
    );
  });

  it('a wrong window is refused naming the field', () => {
    const issues = (raw: unknown) =>
      freezeSchema.safeParse(raw).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    const base = { name: 'x', reason: 'y', overrideRoles: ['finance-director'] };
    assert.deepEqual(issues({ ...base, from: '12-25', to: '2027-01-05' }), [
      'to: from and to both YYYY-MM-DD, or both MM-DD',
    ]);
    assert.deepEqual(issues({ ...base, from: '2027-01-05', to: '2027-01-01' }), ['to: to is before from']);
    assert.match(issues({ ...base, from: '02-29', to: '03-01' })[0] ?? '', /^from: /);
    assert.match(
      issues({ ...base, from: '12-25', to: '01-05', overrideRoles: [] })[0] ?? '',
      /^overrideRoles: /,
    );
  });
});

describe('the site file', () => {
  const site = (edit: (raw: Record<string, Record<string, unknown>>) => void) => {
    const raw = parseYaml(readFileSync(defaultSiteFile, 'utf8')) as Record<string, Record<string, unknown>>;
    edit(raw);
    return () => parseSite(stringify(raw), defaultSiteFile);
  };
  const refused = (fn: () => unknown, line: RegExp) =>
    assert.throws(
      fn,
      (err: unknown) => err instanceof SiteConfigError && err.problems.some((p) => line.test(p)),
    );

  it('refuses a freeze exempting an unknown runbook, naming it', () => {
    refused(
      site((raw) => {
        (raw.calendar!.freezes as { exempt: string[] }[])[0]!.exempt = ['year-end-rollvoer'];
      }),
      /^calendar\.freezes\[0\]\.exempt\[0\]: unknown runbook "year-end-rollvoer"/,
    );
  });

  it('takes either times on working days or cron for a schedule, not both', () => {
    refused(
      site((raw) => {
        const schedule = (raw.schedules as unknown as Record<string, unknown>[])[0]!;
        schedule.workingDaysAt = ['08:30'];
        schedule.cron = ['30 8 * * *'];
      }),
      /^schedules\[0\]\.workingDaysAt: at most one of workingDaysAt/,
    );
    refused(
      site((raw) => {
        (raw.schedules as unknown as Record<string, unknown>[])[0]!.workingDaysAt = ['8:30'];
      }),
      /^schedules\[0\]\.workingDaysAt\[0\]: a time of day as HH:MM/,
    );
  });
});
