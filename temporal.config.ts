/**
 * The one typed configuration of jincai-runbooks.
 *
 * A site file (YAML or JSON) describes one bureau's estate and how the engine reaches it; this
 * module validates it with zod and fills in the conventions (channel and queue names derived
 * from bank codes). Secrets never live in the file: it names the environment variables that
 * hold them, and they are read when a process starts (`secretFromEnv`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { freezeSchema } from './domain/calendar/change-freezes.ts';
import { timeOfDay } from './domain/calendar/dates.ts';
import type { HostConfig, ProgramConfig } from './domain/host-config.ts';
import { envName, hostIssues, hostSchema, programSchema } from './domain/host-config.ts';
import { statementFormatSchema, type StatementFormat } from './domain/reconciliation/format-schema.ts';
import { runbookCatalog } from './domain/runbooks/catalog.ts';
import type { SubsystemConfig } from './domain/subsystem-config.ts';
import { subsystemIssues, subsystemSchema, type DatabaseStore } from './domain/subsystem-config.ts';
import { voucherRulesSchema } from './domain/vouchers/rule-sets.ts';

/** The folder of the nearest package.json: the repository, whether this runs from source or from `dist/`. */
export const projectRoot = packageFolder(dirname(fileURLToPath(import.meta.url)));
export const defaultSiteFile = resolve(projectRoot, 'sites/sandbox.yaml');

const mqName = z
  .string()
  .regex(/^[A-Z0-9._%/]{1,48}$/, 'an IBM MQ object name: upper-case letters, digits, . _ % / (at most 48)');
const hostPort = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
});

const bankSchema = z
  .object({
    code: z.string().regex(/^[A-Z][A-Z0-9]{1,11}$/, 'a bank code: upper-case letters and digits, e.g. ICBC'),
    name: z.string().min(1),
    qmgr: mqName.optional(),
    senderChannel: mqName.optional(),
    receiverChannel: mqName.optional(),
    xmitq: mqName.optional(),
    /**
     * The dead-letter queue of the bank's queue manager, as its DEADQ names it: the inspection reads
     * its depth without asking DISPLAY QMGR DEADQ first. Without it, DEADQ is asked every time.
     */
    deadLetterQueue: mqName.optional(),
    frontEnd: hostPort,
    window: z.object({ open: timeOfDay, close: timeOfDay }).default({ open: '08:30', close: '17:00' }),
    programs: z.array(programSchema).default([]),
    /** Whether the engine may administer the bank's own queue manager (read its channel ends). */
    bankQmgrAccess: z.boolean().default(true),
    /** The bank's voucher field rule set (凭证要素规范); without it, the default for its code. */
    voucherRules: voucherRulesSchema.optional(),
    /** How the bank writes its statements (对账单); without it, XML packages in UTF-8. */
    statements: statementFormatSchema.optional(),
  })
  .strict()
  .transform((b) => ({
    ...b,
    qmgr: b.qmgr ?? `QM.${b.code}`,
    senderChannel: b.senderChannel ?? `CZ.TO.${b.code}`,
    receiverChannel: b.receiverChannel ?? `${b.code}.TO.CZ`,
    xmitq: b.xmitq ?? `QM.${b.code}`,
  }));

/** A Temporal-style duration: a whole number and a unit, e.g. 90s, 30m, 2h, 1d. */
export const durationText = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'a duration such as 30m, 2h or 1d');

const approvalPolicySchema = z
  .object({
    /** Roles any one of which may decide. */
    roles: z.array(z.string().min(1)).min(1),
    /** Distinct approvals needed. */
    quorum: z.number().int().min(1).max(9).default(1),
    /** Roles that may also decide once the request is escalated. */
    deputyRoles: z.array(z.string().min(1)).default([]),
    remindAfter: durationText.default('30m'),
    escalateAfter: durationText.default('2h'),
    expireAfter: durationText.default('8h'),
  })
  .strict();
export type ApprovalPolicyConfig = z.infer<typeof approvalPolicySchema>;

const roleList = z.array(z.string().min(1)).min(1);
const handRoles = z
  .object({
    /** May retry a paused step (default: approvals.startRoles, the engineers). */
    retryRoles: roleList.optional(),
    /** May skip a paused step, with a reason (default: the roles that approve the runbook's plans, and their deputies). */
    skipRoles: roleList.optional(),
    /** May abort a paused run, with a reason (default: approvals.startRoles). */
    abortRoles: roleList.optional(),
  })
  .strict();

/** The operator's hand on a paused step: who may retry, skip or abort, site-wide and per runbook. */
const handPolicySchema = handRoles
  .extend({
    runbooks: z.record(z.string(), handRoles).default({}),
    /** The share of a fan-out's banks that may fail a step before the run pauses and asks. */
    fanOutFailedShare: z.number().min(0).max(1).default(0.2),
  })
  .strict();

const sqlStoreFields = z
  .object({
    adapter: z.enum(['sqlite', 'oracle']),
    sqlite: z
      .object({ path: z.string().min(1) })
      .strict()
      .optional(),
    oracle: z
      .object({
        connectString: z.string().min(1),
        userEnv: envName,
        passwordEnv: envName,
        /** `upper`: unquoted names, as a schema created by hand has them; `quoted`: lower-case, quoted. */
        identifiers: z.enum(['upper', 'quoted']).default('upper'),
      })
      .strict()
      .optional(),
  })
  .strict();
const adapterSectionPresent = (t: { adapter: 'sqlite' | 'oracle'; sqlite?: unknown; oracle?: unknown }) =>
  !!(t.adapter === 'sqlite' ? t.sqlite : t.oracle);
const adapterSectionMissing = { message: 'the section named by adapter is required', path: ['adapter'] };
const sqlStoreSchema = sqlStoreFields.refine(adapterSectionPresent, adapterSectionMissing);
export type SqlStoreConfig = z.infer<typeof sqlStoreSchema>;

/** A target's name, by which a subsystem's `answeredBy.notify` picks it. */
const targetName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a target name in kebab-case')
  .optional();

/** An Ed25519 public key by key id: raw 32 bytes in base64, inline or in a file (or a SPKI PEM file). */
const publicKeySchema = z
  .object({
    keyId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'a key id: letters, digits, . _ -'),
    publicKey: z.string().optional(),
    publicKeyFile: z.string().optional(),
  })
  .strict()
  .refine((k) => !!k.publicKey !== !!k.publicKeyFile, {
    message: 'exactly one of publicKey and publicKeyFile',
  });

/** An Ed25519 private key (PKCS#8 PEM) from an env var or a mode-600 file, never from the site file. */
const privateKeySchema = z
  .object({
    keyId: z.string().min(1),
    /** Env var with the Ed25519 private key (PKCS#8 PEM)… */
    privateKeyEnv: envName.optional(),
    /** …or a file holding it (mode 600). */
    privateKeyFile: z.string().optional(),
  })
  .strict()
  .refine((k) => !!k.privateKeyEnv !== !!k.privateKeyFile, {
    message: 'exactly one of privateKeyEnv and privateKeyFile',
  });
export type PublicKeyConfig = z.infer<typeof publicKeySchema>;
export type PrivateKeyConfig = z.infer<typeof privateKeySchema>;

/**
 * The audit store, and the keys and head file that make it verifiable without trusting the store:
 * appending workers sign each record and the chain head with `signingKey`; `audit verify` needs
 * only `signers` (old keys stay listed after a rotation).
 */
const auditSchema = sqlStoreFields
  .extend({
    signers: z.array(publicKeySchema).min(1),
    signingKey: privateKeySchema,
    /** The signed chain head, rewritten (atomically) after each append; keep it off the database host. */
    headFile: z.string().min(1),
  })
  .strict()
  .refine(adapterSectionPresent, adapterSectionMissing);
export type AuditConfig = z.infer<typeof auditSchema>;

const notifyTargetSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('webhook'),
      name: targetName,
      /** The chat robot's message format. */
      flavor: z.enum(['wecom', 'dingtalk']),
      /** Env var holding the robot's URL (it carries the robot's key). */
      urlEnv: envName,
    })
    .strict(),
  z
    .object({
      type: z.literal('smtp'),
      name: targetName,
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535),
      /** Implicit TLS (465); otherwise STARTTLS when the server offers it. */
      secure: z.boolean().default(false),
      userEnv: envName.optional(),
      passwordEnv: envName.optional(),
      from: z.string().min(3),
      to: z.array(z.string().min(3)).min(1),
    })
    .strict(),
  z.object({ type: z.literal('file'), name: targetName, path: z.string().min(1) }).strict(),
]);
export type NotifyTargetConfig = z.infer<typeof notifyTargetSchema>;

/**
 * TLS to the Temporal frontend. Present = TLS on; `caFile` for a private CA (omitted: the system's
 * roots); a client certificate and key for mutual TLS; `serverNameOverride` when the name in the
 * frontend's certificate is not the host of `address`. Files are checked when the site loads.
 */
export const temporalTlsSchema = z
  .object({
    caFile: z.string().min(1).optional(),
    clientCertFile: z.string().min(1).optional(),
    clientKeyFile: z.string().min(1).optional(),
    serverNameOverride: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((tls, ctx) => {
    if (!!tls.clientCertFile === !!tls.clientKeyFile) return;
    const [given, missing] = tls.clientCertFile
      ? ['clientCertFile', 'clientKeyFile']
      : ['clientKeyFile', 'clientCertFile'];
    ctx.addIssue({
      code: 'custom',
      path: [missing],
      message: `required with ${given} (mutual TLS needs both)`,
    });
  });
export type TemporalTlsConfig = z.infer<typeof temporalTlsSchema>;

const scheduleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/, 'a schedule id in kebab-case'),
    runbook: z.string().min(1),
    /**
     * Times of day on each Chinese working day (make-up working days included, holidays skipped).
     * With neither this nor `cron`, the runbook's default times (its catalog entry).
     */
    workingDaysAt: z.array(timeOfDay).min(1).optional(),
    /** Or cron expressions, interpreted in `timezone`, on every day they match. */
    cron: z.array(z.string().min(9)).min(1).optional(),
    timezone: z.string().default('Asia/Shanghai'),
    input: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()
  .refine((s) => !(s.workingDaysAt && s.cron), {
    message:
      "at most one of workingDaysAt (times on working days) and cron; neither: the runbook's default times",
    path: ['workingDaysAt'],
  });

export const siteSchema = z
  .object({
    site: z.object({ name: z.string().min(1), timezone: z.string().default('Asia/Shanghai') }).strict(),
    temporal: z
      .object({
        address: z.string().default('127.0.0.1:7233'),
        namespace: z.string().default('default'),
        tls: temporalTlsSchema.optional(),
        uiPort: z.number().int().default(8233),
        /** The Web UI engineers open; links in notifications start with it (default: behind the inbox). */
        uiUrl: z.string().url().optional(),
        taskQueues: z
          .object({
            runbooks: z.string().default('runbooks'),
            comm: z.string().default('comm-zone'),
            db: z.string().default('db-zone'),
          })
          .strict()
          .default({ runbooks: 'runbooks', comm: 'comm-zone', db: 'db-zone' }),
      })
      .strict(),
    mq: z
      .object({
        adapter: z.enum(['mqweb', 'runmqsc']),
        financeQmgr: mqName.default('QM.CZ'),
        mqweb: z
          .object({
            baseUrl: z.string().url(),
            userEnv: envName,
            passwordEnv: envName,
            /** PEM bundle of the CA that signed mqweb's certificate, when it is not a public one. */
            caFile: z.string().optional(),
          })
          .strict()
          .optional(),
        runmqsc: z
          .object({ command: z.string().default('runmqsc') })
          .strict()
          .optional(),
      })
      .strict()
      .refine((mq) => mq.adapter !== 'mqweb' || mq.mqweb, {
        message: 'mq.mqweb is required when mq.adapter is "mqweb"',
        path: ['mqweb'],
      }),
    treasury: sqlStoreSchema,
    thresholds: z
      .object({
        xmitqDepthWarn: z.number().int().nonnegative().default(50),
        deadLetterDepthWarn: z.number().int().nonnegative().default(1),
        sendBacklogMinutes: z.number().int().positive().default(15),
        tcpTimeoutMs: z.number().int().positive().default(3000),
      })
      .strict()
      .default({ xmitqDepthWarn: 50, deadLetterDepthWarn: 1, sendBacklogMinutes: 15, tcpTimeoutMs: 3000 }),
    inspection: z
      .object({
        concurrency: z.number().int().min(1).max(100).default(8),
        /**
         * Per fix runbook: `report` (the finding names it; default) or `start` (the inspection starts
         * it, and it waits at its approval gate like any other run).
         */
        followUp: z.record(z.string(), z.enum(['report', 'start'])).default({}),
      })
      .strict()
      .default({ concurrency: 8, followUp: {} }),
    /** The year-end rollover (年终结转): what the site's policy does with vouchers unpaid when the year closes. */
    yearEnd: z
      .object({
        /** `carry`: to the new year, as drafts to be submitted again; `return`: to their budget units. */
        unpaidVouchers: z.enum(['carry', 'return']).default('carry'),
      })
      .strict()
      .default({ unpaidVouchers: 'carry' }),
    banks: z.array(bankSchema).min(1),
    /** Machines other than the worker's own that programs run on (SSH), and folders the engine may measure. */
    hosts: z.array(hostSchema).default([]),
    /** The estate's other systems: exchange client, procurement push, payroll, BS and the rest. */
    subsystems: z.array(subsystemSchema).default([]),
    /**
     * Banks added after the site file was written (the add-an-agent-bank runbook writes one
     * `<CODE>.yaml` here); merged after `banks` whenever the site is loaded.
     */
    addedBanksDir: z.string().optional(),
    /**
     * Where each migrated subsystem's side in service is recorded (system-migration writes
     * `<subsystem>.json` at its switch): the site points at that side, and running workers read
     * it on every look-up, without a restart.
     */
    placementsDir: z.string().optional(),
    /**
     * The folders where send/receive programs keep their pid files: a pid file named in a runbook's
     * input (a new bank's programs) must lie in one of them.
     */
    pidDirs: z.array(z.string().min(1)).default([]),
    calendar: z
      .object({
        /** YAML/JSON files of statutory holidays and make-up working days (调休), one per year. */
        files: z.array(z.string()).default([]),
        /**
         * A folder of further calendar files, read afresh whenever a runbook asks: for arrangements
         * made on the day, such as a bank's extended hours (延时服务). A missing folder is empty.
         */
        dir: z.string().optional(),
        /** Change freezes (封网): windows in which change runbooks wait or ask for an emergency override. */
        freezes: z.array(freezeSchema).default([]),
      })
      .strict()
      .superRefine((c, ctx) =>
        c.freezes.forEach((f, i) =>
          f.exempt.forEach((id, j) => {
            if (!(id in runbookCatalog))
              ctx.addIssue({
                code: 'custom',
                path: ['freezes', i, 'exempt', j],
                message: `unknown runbook "${id}"; expected one of ${Object.keys(runbookCatalog).join(', ')}`,
              });
          }),
        ),
      )
      .default({ files: [], freezes: [] }),
    /**
     * The provincial release repository (省厅下发): the folder upgrade packages arrive in (one
     * `<product>-<version>/` each: manifest.json, manifest.sig, files/), and the province's Ed25519
     * public keys a package's signature must verify with (old keys stay listed after a rotation).
     */
    releases: z
      .object({ dir: z.string().min(1), signers: z.array(publicKeySchema).min(1) })
      .strict()
      .optional(),
    /** Where the banks' statements arrive and finance's requests and replies go (the front ends' exchange folders). */
    statements: z
      .object({
        exchangeDir: z.string().min(1),
        /** Scratch space of the comparison (the finance side's extract, sorted runs); default the system's temporary folder. */
        workDir: z.string().min(1).optional(),
        /** The bureau's administrative division code (AdmDivCode). */
        divisionCode: z
          .string()
          .regex(/^\d{6}$/, 'a six-digit division code')
          .default('330102'),
      })
      .strict()
      .optional(),
    schedules: z.array(scheduleSchema).default([]),
    reports: z
      .object({ dir: z.string().default('reports') })
      .strict()
      .default({ dir: 'reports' }),
    approvals: z
      .object({
        /** Front doors' Ed25519 public keys (raw 32 bytes, base64) by key id; old keys stay listed after rotation. */
        signers: z.array(publicKeySchema).min(1),
        /** The key a front door (inbox, its API for the CLI) signs decisions with. */
        signingKey: privateKeySchema,
        /** A signed decision older than this (or this far in the future) is refused. */
        maxDecisionAgeSeconds: z.number().int().min(10).max(3600).default(300),
        /**
         * How old an approval may be when a change is made on it (its quorum-completing decision);
         * a runbook whose approval has aged out (waiting for a bank window) plans and asks again.
         */
        proofMaxAge: durationText.default('1h'),
        /** Roles that may start runbooks, and so claim a run started without a verified requester. */
        startRoles: z.array(z.string().min(1)).min(1).default(['engineer']),
        /** Who may retry, skip or abort a run's paused step (the operator's hand). */
        hand: handPolicySchema.default({ runbooks: {}, fanOutFailedShare: 0.2 }),
        /** Where approvers are known: the local user store (scrypt hashes) for now. */
        users: z.object({ adapter: z.literal('local'), file: z.string().min(1) }).strict(),
        default: approvalPolicySchema,
        /** Per runbook, optionally per step (a step's policy replaces the runbook's). */
        runbooks: z
          .record(
            z.string(),
            approvalPolicySchema
              .partial()
              .extend({ steps: z.record(z.string(), approvalPolicySchema.partial()).default({}) })
              .strict(),
          )
          .default({}),
      })
      .strict(),
    inbox: z
      .object({
        port: z.number().int().min(0).max(65535).default(8380),
        /** The address approvers open; deep links in notifications start with it. */
        publicUrl: z.string().url(),
        /** Secure cookies (HTTPS, or http://localhost which browsers treat as secure). */
        secureCookies: z.boolean().default(true),
        sessionMinutes: z.number().int().min(5).max(1440).default(480),
        language: z.enum(['zh', 'en']).default('zh'),
        /**
         * The Temporal Web UI behind the inbox, on its origin, for signed-in engineers
         * (`approvals.startRoles`): the UI's codec calls then carry the inbox session.
         */
        temporalUi: z
          .object({
            enabled: z.boolean().default(true),
            /** Where the UI really listens, bound privately; default http://127.0.0.1:<temporal.uiPort>. */
            upstream: z.string().url().optional(),
            /** The path it is served under, here and upstream (`--ui-public-path`, TEMPORAL_UI_PUBLIC_PATH). */
            path: z
              .string()
              .regex(/^\/[a-z0-9-]{1,32}$/, 'a path such as /temporal')
              .default('/temporal'),
          })
          .strict()
          .default({ enabled: true, path: '/temporal' }),
      })
      .strict(),
    notify: z
      .object({ targets: z.array(notifyTargetSchema).default([]) })
      .strict()
      .default({ targets: [] }),
    audit: auditSchema,
    codec: z
      .object({
        /** Env var with the payload keys: `keyId:base64key,…`, the first encrypts, all decrypt. */
        keysEnv: envName.default('JINCAI_PAYLOAD_KEYS'),
        /** Roles allowed to decode payloads through the codec endpoint. */
        decodeRoles: z.array(z.string().min(1)).default(['engineer']),
      })
      .strict()
      .default({ keysEnv: 'JINCAI_PAYLOAD_KEYS', decodeRoles: ['engineer'] }),
    /**
     * The Prometheus endpoints (`GET /metrics`): the worker's (the Temporal SDK's own metrics and the
     * runbooks') and the inbox's; the sandbox serves its own on its port. `enabled: false` opens none.
     */
    metrics: z
      .object({
        enabled: z.boolean().default(true),
        /** The address they listen on: the host itself by default; a site's Prometheus needs one it reaches. */
        host: z.string().min(1).default('127.0.0.1'),
        workerPort: z.number().int().min(1).max(65535).default(9464),
        inboxPort: z.number().int().min(1).max(65535).default(9465),
        /** How often the runbooks worker counts the approvals waiting and their age. */
        approvalsEvery: durationText.default('30s'),
      })
      .strict()
      .default({
        enabled: true,
        host: '127.0.0.1',
        workerPort: 9464,
        inboxPort: 9465,
        approvalsEvery: '30s',
      }),
    sandbox: z
      .object({
        port: z.number().int().min(1).max(65535),
        dataDir: z.string().min(1),
        /** Where the embedded stack keeps the secrets it generates (mqweb credentials, payload key). */
        secretsDir: z
          .string()
          .min(1)
          .default(resolve(projectRoot, 'data', 'secrets')),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((site, ctx) => {
    const seen = new Set<string>();
    site.banks.forEach((b, i) => {
      if (seen.has(b.code)) {
        ctx.addIssue({
          code: 'custom',
          path: ['banks', i, 'code'],
          message: `duplicate bank code ${b.code}`,
        });
      }
      seen.add(b.code);
    });
    const programLists = [
      ...site.banks.map((b, i) => ({ where: ['banks', i, 'programs'], programs: b.programs })),
      ...site.subsystems.map((s, i) => ({ where: ['subsystems', i, 'programs'], programs: s.programs })),
      ...site.subsystems.flatMap((s, i) =>
        s.migrationTargets.map((t, j) => ({
          where: ['subsystems', i, 'migrationTargets', j, 'programs'],
          programs: t.programs,
        })),
      ),
    ];
    const issues = [
      ...hostIssues(site.hosts, programLists),
      ...subsystemIssues(site.subsystems, {
        hosts: site.hosts.map((h) => h.name),
        localHosts: new Map(site.hosts.flatMap((h) => (h.adapter === 'local' ? [[h.name, h.paths]] : []))),
        notifyTargets: site.notify.targets.flatMap((t) => (t.name ? [t.name] : [])),
        banks: site.banks.map((b) => b.code),
      }),
    ];
    for (const issue of issues) ctx.addIssue({ code: 'custom', ...issue });
  });

export type SiteConfig = z.infer<typeof siteSchema>;
export type BankConfig = SiteConfig['banks'][number];
export type { HostConfig, ProgramConfig, SubsystemConfig };

/** The bank's statement format as declared, or the default (XML packages in UTF-8). */
export const bankStatementFormat = (bank: BankConfig): StatementFormat =>
  bank.statements ?? statementFormatSchema.parse({});

/** Thrown when a site file is unreadable or invalid; lists every wrong path. */
export class SiteConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Invalid site file ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SiteConfigError';
  }
}

/** Formats zod issues as `path.to.field: expected …` lines. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.reduce<string>(
    (acc, part) =>
      typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part),
    '',
  );
}

/** Parses and validates site text; relative paths are resolved against the file's folder. */
export function parseSite(text: string, file: string): SiteConfig {
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new SiteConfigError(file, [
      `(file): not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${String(err)}`,
    ]);
  }
  const base = dirname(resolve(file));
  mergeAddedBanks(raw, base, file);
  const parsed = siteSchema.safeParse(raw);
  if (!parsed.success) throw new SiteConfigError(file, describeIssues(parsed.error));
  const site = resolvePaths(parsed.data, base);
  const tlsProblems = temporalTlsFileProblems(site.temporal.tls);
  if (tlsProblems.length > 0) throw new SiteConfigError(file, tlsProblems);
  return site;
}

/** What each TLS file must hold: a PEM block of this kind. */
const tlsPemKinds = {
  caFile: { what: 'CERTIFICATE', pattern: /-----BEGIN CERTIFICATE-----/ },
  clientCertFile: { what: 'CERTIFICATE', pattern: /-----BEGIN CERTIFICATE-----/ },
  clientKeyFile: { what: 'PRIVATE KEY', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
} as const;

/** Each TLS file that cannot be read or holds no PEM block of its kind, as `temporal.tls.<field>: …`. */
export function temporalTlsFileProblems(tls: TemporalTlsConfig | undefined): string[] {
  if (!tls) return [];
  return Object.entries(tlsPemKinds).flatMap(([field, kind]) => {
    const path = tls[field as keyof typeof tlsPemKinds];
    if (!path) return [];
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      return [
        `temporal.tls.${field}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      ];
    }
    return kind.pattern.test(text) ? [] : [`temporal.tls.${field}: ${path} holds no PEM ${kind.what}`];
  });
}

/** Appends the banks of `addedBanksDir` (one YAML file per bank) to the raw site's `banks`. */
function mergeAddedBanks(raw: unknown, base: string, file: string): void {
  const site = raw as { addedBanksDir?: unknown; banks?: unknown };
  if (typeof site?.addedBanksDir !== 'string' || !Array.isArray(site.banks)) return;
  const dir = isAbsolute(site.addedBanksDir) ? site.addedBanksDir : resolve(base, site.addedBanksDir);
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()) {
    const path = join(dir, name);
    try {
      site.banks.push(parseYaml(readFileSync(path, 'utf8')));
    } catch (err) {
      throw new SiteConfigError(file, [`addedBanksDir/${name}: not valid YAML: ${String(err)}`]);
    }
  }
}

function resolvePaths(site: SiteConfig, base: string): SiteConfig {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const store = (d: DatabaseStore): DatabaseStore =>
    d.adapter === 'sqlite' ? { ...d, path: abs(d.path) } : d;
  const withKeyPaths = <T extends { signers: PublicKeyConfig[]; signingKey: PrivateKeyConfig }>(
    keys: T,
  ): T => ({
    ...keys,
    signers: keys.signers.map((k) => (k.publicKeyFile ? { ...k, publicKeyFile: abs(k.publicKeyFile) } : k)),
    signingKey: {
      ...keys.signingKey,
      ...(keys.signingKey.privateKeyFile && { privateKeyFile: abs(keys.signingKey.privateKeyFile) }),
    },
  });
  return {
    ...site,
    temporal: {
      ...site.temporal,
      ...(site.temporal.tls && {
        tls: {
          ...site.temporal.tls,
          ...(site.temporal.tls.caFile && { caFile: abs(site.temporal.tls.caFile) }),
          ...(site.temporal.tls.clientCertFile && { clientCertFile: abs(site.temporal.tls.clientCertFile) }),
          ...(site.temporal.tls.clientKeyFile && { clientKeyFile: abs(site.temporal.tls.clientKeyFile) }),
        },
      }),
    },
    mq: {
      ...site.mq,
      ...(site.mq.mqweb?.caFile && { mqweb: { ...site.mq.mqweb, caFile: abs(site.mq.mqweb.caFile) } }),
    },
    treasury: {
      ...site.treasury,
      ...(site.treasury.sqlite && { sqlite: { path: abs(site.treasury.sqlite.path) } }),
    },
    banks: site.banks.map((b) => ({
      ...b,
      programs: b.programs.map((p) => resolveProgram(p, site.hosts, abs)),
    })),
    subsystems: site.subsystems.map((s) => ({
      ...s,
      programs: s.programs.map((p) => resolveProgram(p, site.hosts, abs)),
      ...(s.install && {
        install: { ...s.install, dir: abs(s.install.dir), backupDir: abs(s.install.backupDir) },
      }),
      ...(s.database && {
        database: { ...s.database, ...(s.database.store && { store: store(s.database.store) }) },
      }),
      migrationTargets: s.migrationTargets.map((t) => ({
        ...t,
        dir: abs(t.dir),
        backupDir: abs(t.backupDir),
        programs: t.programs.map((p) => resolveProgram(p, site.hosts, abs)),
        database: store(t.database),
      })),
    })),
    ...(site.releases && {
      releases: {
        dir: abs(site.releases.dir),
        signers: site.releases.signers.map((k) =>
          k.publicKeyFile ? { ...k, publicKeyFile: abs(k.publicKeyFile) } : k,
        ),
      },
    }),
    hosts: site.hosts.map((h) =>
      h.adapter === 'local'
        ? { ...h, paths: h.paths.map(abs) }
        : { ...h, ...(h.privateKeyFile && { privateKeyFile: abs(h.privateKeyFile) }) },
    ),
    calendar: {
      ...site.calendar,
      files: site.calendar.files.map(abs),
      ...(site.calendar.dir && { dir: abs(site.calendar.dir) }),
    },
    ...(site.addedBanksDir && { addedBanksDir: abs(site.addedBanksDir) }),
    ...(site.placementsDir && { placementsDir: abs(site.placementsDir) }),
    pidDirs: site.pidDirs.map(abs),
    ...(site.statements && {
      statements: {
        ...site.statements,
        exchangeDir: abs(site.statements.exchangeDir),
        ...(site.statements.workDir && { workDir: abs(site.statements.workDir) }),
      },
    }),
    approvals: {
      ...withKeyPaths(site.approvals),
      users: { ...site.approvals.users, file: abs(site.approvals.users.file) },
    },
    notify: {
      targets: site.notify.targets.map((t) => (t.type === 'file' ? { ...t, path: abs(t.path) } : t)),
    },
    audit: {
      ...withKeyPaths(site.audit),
      ...(site.audit.sqlite && { sqlite: { path: abs(site.audit.sqlite.path) } }),
      headFile: abs(site.audit.headFile),
    },
    reports: { dir: abs(site.reports.dir) },
    ...(site.sandbox && {
      sandbox: {
        ...site.sandbox,
        dataDir: abs(site.sandbox.dataDir),
        secretsDir: abs(site.sandbox.secretsDir),
      },
    }),
  };
}

/** Every program the site declares, wherever it is declared (a subsystem's migration targets included). */
export function declaredPrograms(site: SiteConfig): ProgramConfig[] {
  return [
    ...site.banks.flatMap((b) => b.programs),
    ...site.subsystems.flatMap((s) => [...s.programs, ...s.migrationTargets.flatMap((t) => t.programs)]),
  ];
}

/** A program's paths on the worker's own machine are relative to the site file; a remote host's are its own. */
function resolveProgram(
  p: ProgramConfig,
  hosts: readonly HostConfig[],
  abs: (path: string) => string,
): ProgramConfig {
  if (hosts.find((h) => h.name === p.host)?.adapter === 'ssh') return p;
  const command = (c: { argv: string[]; cwd?: string }) => ({ ...c, ...(c.cwd && { cwd: abs(c.cwd) }) });
  return {
    ...p,
    ...(p.logFile && { logFile: abs(p.logFile) }),
    ...('pidFile' in p && {
      pidFile: abs(p.pidFile),
      ...(p.start && { start: command(p.start) }),
      ...(p.stop && { stop: command(p.stop) }),
    }),
  };
}

/** The site file in force: `JINCAI_SITE` or the committed sandbox estate. */
export function siteFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.JINCAI_SITE ? resolve(env.JINCAI_SITE) : defaultSiteFile;
}

/** Loads the site file; call when a process starts, never at import time. */
export function loadSite(file = siteFilePath()): SiteConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SiteConfigError(file, [`(file): cannot be read: ${(err as Error).message}`]);
  }
  return parseSite(text, file);
}

/** The Temporal Web UI's address for people: behind the inbox unless the site says otherwise. */
export function temporalUiUrl(site: SiteConfig): string {
  const ui = site.inbox.temporalUi;
  const url =
    site.temporal.uiUrl ??
    (ui.enabled
      ? `${site.inbox.publicUrl.replace(/\/$/, '')}${ui.path}`
      : `http://127.0.0.1:${site.temporal.uiPort}`);
  return url.replace(/\/$/, '');
}

/** Where Prometheus scrapes a process of the site (the sandbox serves its metrics on its own port). */
export function metricsUrl(site: SiteConfig, process: 'worker' | 'inbox' | 'sandbox'): string {
  const { host, workerPort, inboxPort } = site.metrics;
  const at = (h: string, port: number) => `http://${h.includes(':') ? `[${h}]` : h}:${port}/metrics`;
  if (process === 'sandbox') return at('127.0.0.1', site.sandbox?.port ?? 0);
  return at(host === '0.0.0.0' ? '127.0.0.1' : host, process === 'worker' ? workerPort : inboxPort);
}

/** Where the inbox reaches the Web UI it serves. */
export function temporalUiUpstream(site: SiteConfig): URL {
  return new URL(site.inbox.temporalUi.upstream ?? `http://127.0.0.1:${site.temporal.uiPort}`);
}

function packageFolder(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json above ${from}`);
  }
}

/** Reads a secret named by the site file from the environment. */
export function secretFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set (a secret the site file refers to)`);
  return value;
}
