/**
 * The site file's subsystems: every system of the estate besides the agent-bank links — what kind
 * it is, where it runs (hosts, programs, ports), how its health is read, its database schema, the
 * version that should be installed, and who answers for it (the approval roles for runbooks that
 * change it, the notification targets that hear of its faults).
 */
import { z } from 'zod';
import type { PathIssue } from './host-config.ts';
import { isUnder } from './host-commands.ts';
import { localHostName, programSchema } from './host-config.ts';

export const subsystemKinds = [
  'payment',
  'budget-exchange',
  'procurement-push',
  'payroll',
  'official-card',
  'user-accounts',
  'bank-accounts',
  'fund-application',
  'accounting',
] as const;
export type SubsystemKind = (typeof subsystemKinds)[number];

/** What approvers and report readers call each kind. */
export const subsystemKindTitles: Record<SubsystemKind, string> = {
  payment: '国库集中支付',
  'budget-exchange': '预算管理一体化数据交换',
  'procurement-push': '政采云确认书推送',
  payroll: '工资统发',
  'official-card': '公务卡',
  'user-accounts': '用户账户管理',
  'bank-accounts': '银行账户管理',
  'fund-application': '资金申请',
  accounting: '会计核算（BS）',
};

const bankCode = z
  .string()
  .regex(/^[A-Z][A-Z0-9]{1,11}$/, 'a bank code: upper-case letters and digits, e.g. ICBC');

const endpointSchema = z
  .object({
    name: z.string().min(1).optional(),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
  })
  .strict();

const kindSections = {
  /** budget-exchange: the province's platform and this bureau's place in it. */
  exchange: z
    .object({
      platformUrl: z.string().url(),
      /** The administrative division code (区划代码) items are keyed by. */
      division: z.string().regex(/^\d{6}$/, 'a six-digit division code (区划代码)'),
      /** Voucher types exchanged (凭证类型), e.g. 5201 payment vouchers. */
      voucherTypes: z.array(z.string().regex(/^\d{4}$/, 'a four-digit voucher type')).min(1),
      /** Warn when the client's certificate expires within this many days. */
      certificateWarnDays: z.number().int().min(1).max(365).default(30),
    })
    .strict(),
  /** procurement-push: the procurement cloud (政采云) the confirmations go to. */
  procurement: z
    .object({
      cloudUrl: z.string().url(),
      /** Push attempts before a confirmation is left failed for an engineer. */
      maxAttempts: z.number().int().min(1).max(20).default(3),
    })
    .strict(),
  /** payroll: the one bank the monthly batch pays through. */
  payroll: z.object({ bank: bankCode }).strict(),
  /** official-card: the card-issuing banks repayments go to. */
  officialCard: z.object({ banks: z.array(bankCode).min(1) }).strict(),
};
const sectionOfKind: Partial<Record<SubsystemKind, keyof typeof kindSections>> = {
  'budget-exchange': 'exchange',
  'procurement-push': 'procurement',
  payroll: 'payroll',
  'official-card': 'officialCard',
};

const pathText = z.string().regex(/^[A-Za-z0-9._@+/-]+$/, 'a path of letters, digits and . _ @ + - /');

/**
 * Where a subsystem's database lives, for a migration to read and compare both sides: a SQLite
 * file, or an Oracle schema reached with credentials from the environment. An Oracle copy is made
 * by the DBA's own tools (Data Pump, RMAN); the engine only verifies it.
 */
export const databaseStoreSchema = z.discriminatedUnion('adapter', [
  z.object({ adapter: z.literal('sqlite'), path: pathText }).strict(),
  z
    .object({
      adapter: z.literal('oracle'),
      connectString: z.string().min(1),
      userEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'the name of an environment variable'),
      passwordEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'the name of an environment variable'),
      identifiers: z.enum(['upper', 'quoted']).default('upper'),
    })
    .strict(),
]);
export type DatabaseStore = z.infer<typeof databaseStoreSchema>;

/**
 * A prepared other side a subsystem can be migrated to (系统迁移): the host and the folder its
 * application is copied into, its programs, ports and health URL there, and its database.
 */
export const migrationTargetSchema = z
  .object({
    host: z.string().min(1),
    /** The application's folder there, and the folder its upgrades' backups go to. */
    dir: pathText,
    backupDir: pathText,
    programs: z.array(programSchema).default([]),
    ports: z.array(endpointSchema).default([]),
    health: z
      .object({ url: z.string().url(), timeoutMs: z.number().int().min(100).max(60_000).default(3000) })
      .strict()
      .optional(),
    database: databaseStoreSchema,
  })
  .strict();
export type MigrationTarget = z.infer<typeof migrationTargetSchema>;

/** A subsystem's id in the site file, e.g. `budget-exchange`. */
export const subsystemId = z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'a subsystem id in kebab-case');

export const subsystemSchema = z
  .object({
    id: subsystemId,
    kind: z.enum(subsystemKinds),
    name: z.string().min(1),
    /** The declared hosts it runs on (`hosts[].name`, or `local`). */
    hosts: z.array(z.string().min(1)).default([]),
    programs: z.array(programSchema).default([]),
    /** TCP endpoints it listens on. */
    ports: z.array(endpointSchema).default([]),
    /** Its health URL: 2xx when healthy; a JSON answer may carry `version` and `database`. */
    health: z
      .object({ url: z.string().url(), timeoutMs: z.number().int().min(100).max(60_000).default(3000) })
      .strict()
      .optional(),
    /** Its database schema (Oracle user or SQLite file) and the schema version expected. */
    database: z
      .object({
        schema: z
          .string()
          .regex(/^[A-Za-z][A-Za-z0-9_]{0,29}$/, 'a schema name: letters, digits, _ (30 at most)'),
        schemaVersion: z.string().min(1).optional(),
        /** Where it is, for a migration to compare both sides (see databaseStoreSchema). */
        store: databaseStoreSchema.optional(),
      })
      .strict()
      .optional(),
    /** The version that should be installed; a different one answering is a finding. */
    version: z.string().min(1).optional(),
    /**
     * Where its application is installed, for an upgrade: the host (declared with `adapter: local`:
     * the worker doing the upgrade reaches the folder as its own), the application's folder and the
     * folder its backups go to, both under the host's `paths`.
     */
    install: z
      .object({
        host: z.string().min(1),
        dir: z.string().regex(/^[A-Za-z0-9._@+/-]+$/, 'a path of letters, digits and . _ @ + - /'),
        backupDir: z.string().regex(/^[A-Za-z0-9._@+/-]+$/, 'a path of letters, digits and . _ @ + - /'),
      })
      .strict()
      .optional(),
    /** The other sides it may be migrated to, each on a declared host (system-migration). */
    migrationTargets: z.array(migrationTargetSchema).default([]),
    /** Who answers for it. */
    answeredBy: z
      .object({
        /** Roles that approve runbooks changing it. */
        roles: z.array(z.string().min(1)).min(1),
        /** Named `notify.targets` that hear of its faults (every target when empty). */
        notify: z.array(z.string().min(1)).default([]),
      })
      .strict(),
    exchange: kindSections.exchange.optional(),
    procurement: kindSections.procurement.optional(),
    payroll: kindSections.payroll.optional(),
    officialCard: kindSections.officialCard.optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const own = sectionOfKind[s.kind];
    if (own && !s[own]) ctx.addIssue({ code: 'custom', path: [own], message: `required for kind ${s.kind}` });
    for (const section of Object.keys(kindSections) as (keyof typeof kindSections)[])
      if (section !== own && s[section])
        ctx.addIssue({ code: 'custom', path: [section], message: `only for kind ${kindOfSection(section)}` });
  });
export type SubsystemConfig = z.infer<typeof subsystemSchema>;

function kindOfSection(section: keyof typeof kindSections): SubsystemKind | undefined {
  return (Object.keys(sectionOfKind) as SubsystemKind[]).find((k) => sectionOfKind[k] === section);
}

/** Cross-checks against the rest of the site: unique ids, declared hosts, named targets, known banks. */
export function subsystemIssues(
  subsystems: readonly SubsystemConfig[],
  site: {
    hosts: readonly string[];
    notifyTargets: readonly string[];
    banks: readonly string[];
    /** The hosts declared `adapter: local`, with the folders under them the engine may use. */
    localHosts?: ReadonlyMap<string, readonly string[]>;
  },
): PathIssue[] {
  const issues: PathIssue[] = [];
  const seen = new Set<string>();
  const hosts = [...new Set([localHostName, ...site.hosts])];
  subsystems.forEach((s, i) => {
    const at = (...rest: (string | number)[]) => ['subsystems', i, ...rest];
    if (seen.has(s.id)) issues.push({ path: at('id'), message: `duplicate subsystem id ${s.id}` });
    seen.add(s.id);
    s.hosts.forEach((h, j) => {
      if (!hosts.includes(h))
        issues.push({ path: at('hosts', j), message: `no host named ${h}; declared: ${hosts.join(', ')}` });
    });
    s.answeredBy.notify.forEach((t, j) => {
      if (!site.notifyTargets.includes(t))
        issues.push({
          path: at('answeredBy', 'notify', j),
          message: `no notify target named ${t}; named targets: ${site.notifyTargets.join(', ') || '(none)'}`,
        });
    });
    if (s.install) issues.push(...installIssues(s.install, site.localHosts, at));
    s.migrationTargets.forEach((t, j) => {
      issues.push(
        ...migrationTargetIssues(s, t, site.localHosts, (...rest) => at('migrationTargets', j, ...rest)),
      );
    });
    const banks = [
      ...(s.payroll ? [['payroll', 'bank', s.payroll.bank] as const] : []),
      ...(s.officialCard?.banks.map((b, j) => ['officialCard', 'banks', j, b] as const) ?? []),
    ];
    for (const ref of banks) {
      const code = ref.at(-1) as string;
      if (!site.banks.includes(code))
        issues.push({
          path: at(...(ref.slice(0, -1) as (string | number)[])),
          message: `unknown bank code ${code}`,
        });
    }
  });
  return issues;
}

/** A migration target: the subsystem installed on another local host, its folder under that host's paths. */
function migrationTargetIssues(
  s: SubsystemConfig,
  t: MigrationTarget,
  localHosts: ReadonlyMap<string, readonly string[]> | undefined,
  at: (...rest: (string | number)[]) => (string | number)[],
): PathIssue[] {
  const paths = localHosts?.get(t.host);
  if (!s.install)
    return [
      { path: at('host'), message: 'a migration needs the subsystem’s own `install` (where it is now)' },
    ];
  if (t.host === s.install.host)
    return [{ path: at('host'), message: `${t.host} is where ${s.id} is installed now` }];
  if (!paths)
    return [
      {
        path: at('host'),
        message: `no host named ${t.host} with adapter local; a migration copies files on a host whose worker reaches them as its own`,
      },
    ];
  return (['dir', 'backupDir'] as const).flatMap((field) =>
    isUnder(t[field], paths)
      ? []
      : [{ path: at(field), message: `${t[field]} is not under the host's paths (${paths.join(', ')})` }],
  );
}

/** An installation on a host the worker reaches as its own, in folders that host lets the engine use. */
function installIssues(
  install: NonNullable<SubsystemConfig['install']>,
  localHosts: ReadonlyMap<string, readonly string[]> | undefined,
  at: (...rest: (string | number)[]) => (string | number)[],
): PathIssue[] {
  const paths = localHosts?.get(install.host);
  if (!paths)
    return [
      {
        path: at('install', 'host'),
        message: `no host named ${install.host} with adapter local; an upgrade changes files on a host whose worker reaches them as its own`,
      },
    ];
  return (['dir', 'backupDir'] as const).flatMap((field) =>
    isUnder(install[field], paths)
      ? []
      : [
          {
            path: at('install', field),
            message: `${install[field]} is not under the host's paths (${paths.join(', ')})`,
          },
        ],
  );
}

/** The section a subsystem of each kind carries (the schema refuses one of that kind without it). */
interface KindSection {
  'budget-exchange': 'exchange';
  'procurement-push': 'procurement';
  payroll: 'payroll';
  'official-card': 'officialCard';
}

/** A subsystem of `K`, with its kind's section. */
export type SubsystemOfKind<K extends SubsystemKind> = SubsystemConfig &
  (K extends keyof KindSection
    ? { [S in KindSection[K]]-?: NonNullable<SubsystemConfig[S]> }
    : Record<never, never>);

/**
 * The subsystem of `kind` that `id` names (or the site's only one of that kind), or why the input
 * names none, as an input problem of `input.subsystem`.
 */
export function subsystemOfKind<K extends SubsystemKind>(
  subsystems: readonly SubsystemConfig[],
  kind: K,
  id: string | undefined,
): SubsystemOfKind<K> | string {
  const all = subsystems.filter((s) => s.kind === kind) as SubsystemOfKind<K>[];
  const names = all.map((s) => s.id).join(', ') || 'none';
  if (id === undefined)
    return all.length === 1
      ? (all[0] as SubsystemOfKind<K>)
      : `input.subsystem: required: the site declares ${all.length} ${kind} subsystems (${names})`;
  return (
    all.find((s) => s.id === id) ??
    `input.subsystem: no ${kind} subsystem ${id} in the site file; declared: ${names}`
  );
}
