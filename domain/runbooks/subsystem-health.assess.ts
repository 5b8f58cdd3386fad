/**
 * Turns what was seen of one subsystem into a traffic light per check and findings, each naming
 * the runbook that fixes it (or, where none does, what a person must do). A program that is down
 * explains its port and health URL not answering: those are then not judged. Pure and
 * deterministic: runs inside the workflow.
 */
import type { ExchangeClientStatus } from '../exchange-protocol.ts';
import type { Light } from './daily-inspection.types.ts';
import type {
  HealthJudging,
  SubsystemCheck,
  SubsystemExpected,
  SubsystemFinding,
  SubsystemHealth,
  SubsystemLook,
  SubsystemWork,
} from './subsystem-health.types.ts';

type Draft = Omit<SubsystemFinding, 'subsystem'>;

const rank: Record<Light, number> = { skipped: 0, green: 1, yellow: 2, red: 3 };
const worst = (lights: Light[]): Light =>
  lights.reduce<Light>((a, b) => (rank[b] > rank[a] ? b : a), 'green');

/** Codes the platform refuses every call with until a person mends the client's key or certificate. */
const refusedForCredentials = ['SIGNATURE_INVALID', 'CERT_EXPIRED', 'CERT_UNTRUSTED', 'DIVISION_MISMATCH'];

interface HealthBody {
  status?: string;
  reason?: string;
  version?: string;
  database?: { state?: string; schemaVersion?: string; error?: string };
}

function programFindings(e: SubsystemExpected, look: SubsystemLook): Draft[] {
  const exchange = e.kind === 'budget-exchange';
  return look.programs
    .filter((p) => !p.running)
    .map((p) => ({
      check: 'programs' as const,
      light: 'red' as const,
      code: exchange ? 'EXCHANGE_CLIENT_DEAD' : 'SUBSYSTEM_PROGRAM_DEAD',
      summary: `${e.name}的程序 ${p.name} 未运行：${p.detail}`,
      fixRunbook: exchange ? ('exchange-recovery' as const) : ('program-restart' as const),
      evidence: { program: p.name, detail: p.detail },
    }));
}

function portFindings(e: SubsystemExpected, look: SubsystemLook): Draft[] {
  return look.ports
    .filter((p) => !p.reachable)
    .map((p) => ({
      check: 'ports' as const,
      light: 'red' as const,
      code: 'SUBSYSTEM_PORT_UNREACHABLE',
      summary: `${e.name}的端口 ${p.host}:${p.port} 无法连接（${p.error ?? '拒绝连接'}），而其程序在运行`,
      action: '检查该服务的监听配置与防火墙',
      evidence: { host: p.host, port: p.port },
    }));
}

/** The health URL, the version and the database it reports. */
function healthFindings(e: SubsystemExpected, look: SubsystemLook, restartable: boolean): Draft[] {
  const h = look.health;
  if (!h) return [];
  const body = (h.body ?? {}) as HealthBody;
  const found: Draft[] = [];
  if (body.database?.state !== undefined && body.database.state !== 'ok')
    found.push({
      check: 'database',
      light: 'red',
      code: 'SUBSYSTEM_DB_UNREACHABLE',
      summary: `${e.name}无法连接其数据库：${body.database.error ?? body.database.state}`,
      action: '请数据库管理员检查该系统的数据库（实例、网络、账户）；恢复后重新检查',
      evidence: { url: h.url, state: body.database.state },
    });
  else if (!h.ok)
    found.push({
      check: 'health',
      light: 'red',
      code: e.kind === 'budget-exchange' ? 'EXCHANGE_STATUS_UNREACHABLE' : 'SUBSYSTEM_UNHEALTHY',
      summary: `${e.name}健康检查未通过（${h.url}）：${body.reason ?? h.error ?? `HTTP ${h.status}`}`,
      ...(e.kind === 'budget-exchange'
        ? { fixRunbook: 'exchange-recovery' as const }
        : restartable
          ? { fixRunbook: 'program-restart' as const }
          : { action: '联系该系统的运维方（answeredBy）处理' }),
      evidence: { url: h.url, status: h.status ?? 0 },
    });
  const versionFix = e.upgradable
    ? { fixRunbook: 'version-upgrade' as const }
    : { action: '核对该系统的部署版本与站点文件声明（省厅下发版本）' };
  if (e.version !== undefined && body.version !== undefined && body.version !== e.version)
    found.push({
      check: 'version',
      light: 'red',
      code: 'SUBSYSTEM_VERSION_MISMATCH',
      summary: `${e.name}运行版本 ${body.version}，站点声明应为 ${e.version}`,
      ...versionFix,
      evidence: { expected: e.version, actual: body.version },
    });
  const schema = body.database?.schemaVersion;
  if (e.schemaVersion !== undefined && schema !== undefined && schema !== e.schemaVersion)
    found.push({
      check: 'database',
      light: 'red',
      code: 'SCHEMA_VERSION_MISMATCH',
      summary: `${e.name}数据库版本 ${schema}，站点声明应为 ${e.schemaVersion}`,
      ...versionFix,
      evidence: { expected: e.schemaVersion, actual: schema },
    });
  return found;
}

/** The exchange client's own status: moving, refused by the platform, its certificate, its queues. */
function exchangeFindings(e: SubsystemExpected, look: SubsystemLook, j: HealthJudging): Draft[] {
  const s =
    e.kind === 'budget-exchange' && look.health?.ok ? (look.health.body as ExchangeClientStatus) : undefined;
  if (!s) return [];
  const found: Draft[] = [];
  const draft = (
    code: string,
    light: 'yellow' | 'red',
    summary: string,
    evidence: Draft['evidence'],
  ): Draft => ({
    check: 'work',
    light,
    code,
    summary,
    fixRunbook: 'exchange-recovery',
    evidence,
  });
  if (look.moving === false)
    found.push(
      draft(
        'EXCHANGE_CLIENT_HUNG',
        'red',
        `交换客户端进程在运行但已停止处理（第 ${s.cycles} 轮后再无进展，${s.lastCycleAt === null ? '尚未完成任何一轮' : `最后一轮在 ${minutesAgo(s.lastCycleAt, j.now)}`}）`,
        {
          cycles: s.cycles,
          lastCycleAt: s.lastCycleAt ?? '',
        },
      ),
    );
  const code = s.lastError?.code;
  if (code !== undefined && refusedForCredentials.includes(code))
    found.push(
      draft(
        'EXCHANGE_PLATFORM_REFUSES',
        'red',
        `省级平台拒绝交换客户端的请求（${code}）：${s.lastError?.message ?? ''}`,
        { code },
      ),
    );
  const cert = s.certificate;
  if (cert && cert.daysLeft <= (e.certificateWarnDays ?? 30))
    found.push(
      draft(
        'EXCHANGE_CERTIFICATE_EXPIRING',
        cert.daysLeft <= 7 ? 'red' : 'yellow',
        `交换客户端证书 ${cert.daysLeft} 天后到期（${cert.notAfter}）`,
        { daysLeft: cert.daysLeft, notAfter: cert.notAfter, serialNumber: cert.serialNumber },
      ),
    );
  for (const [type, q] of Object.entries(s.queues)) {
    const waiting = (q.up.pending ?? 0) + (q.up.replay ?? 0);
    const oldMs = q.oldestUpAt ? Date.parse(j.now) - Date.parse(q.oldestUpAt) : 0;
    if (waiting > 0 && (code === 'PLATFORM_BUSY' || oldMs > j.uplinkBacklogMinutes * 60_000))
      found.push(
        draft(
          'EXCHANGE_UPLINK_BACKLOG',
          'red',
          `凭证类型 ${type} 上行积压 ${waiting} 笔（最早 ${q.oldestUpAt ?? ''}${code ? `，平台应答 ${code}` : ''}）`,
          {
            voucherType: type,
            waiting,
          },
        ),
      );
    if ((q.up.failed ?? 0) > 0)
      found.push(
        draft('EXCHANGE_UPLINK_FAILED', 'red', `凭证类型 ${type} 上行失败 ${q.up.failed} 笔`, {
          voucherType: type,
          failed: q.up.failed ?? 0,
        }),
      );
    if ((q.down.failed ?? 0) > 0)
      found.push(
        draft(
          'EXCHANGE_DOWNLINK_FAILED',
          'red',
          `凭证类型 ${type} 下行失败 ${q.down.failed} 笔（已退回省级平台，待重放）`,
          {
            voucherType: type,
            failed: q.down.failed ?? 0,
          },
        ),
      );
  }
  return found;
}

/** The work the treasury holds for the payment system's neighbours: pushes, payroll, card repayments. */
function workFindings(e: SubsystemExpected, work: SubsystemWork, j: HealthJudging): Draft[] {
  const found: Draft[] = [];
  const p = work.procurement;
  if (p && p.unreached > 0)
    found.push({
      check: 'work',
      light: 'red',
      code: 'PROCUREMENT_PUSH_FAILED',
      summary: `${p.unreached} 份确认书推送政采云失败（云平台不可达），待重推`,
      fixRunbook: 'procurement-push-retry',
      evidence: { unreached: p.unreached, oldestFailedAt: p.oldestFailedAt ?? '' },
    });
  if (p && p.refused > 0)
    found.push({
      check: 'work',
      light: 'red',
      code: 'PROCUREMENT_PUSH_REFUSED',
      summary: `${p.refused} 份确认书被政采云拒收（合同不符），须核对合同与支付`,
      fixRunbook: 'procurement-payment-check',
      evidence: { refused: p.refused },
    });
  for (const b of work.payroll?.stalled ?? [])
    found.push({
      check: 'work',
      light: 'red',
      code: 'PAYROLL_BATCH_STALLED',
      summary: `工资批次 ${b.batchNo} 停滞：${b.pendingLines} 行未生成支付凭证（停滞始于 ${minutesAgo(b.since, j.now)}）`,
      fixRunbook: 'payroll-watch',
      evidence: { batchNo: b.batchNo, pendingLines: b.pendingLines },
    });
  for (const b of work.payroll?.failed ?? [])
    found.push({
      check: 'work',
      light: 'red',
      code: 'PAYROLL_LINES_FAILED',
      summary: `工资批次 ${b.batchNo} 有 ${b.lines} 行支付失败`,
      fixRunbook: 'payroll-watch',
      evidence: { batchNo: b.batchNo, lines: b.lines },
    });
  for (const s of work.officialCard?.stuck ?? [])
    found.push({
      check: 'work',
      light: 'red',
      code: 'OFFICIAL_CARD_STUCK',
      summary: `公务卡还款 ${s.count} 笔已发往 ${s.bank} 而无应答（最早一笔发于 ${minutesAgo(s.oldestSentAt, j.now)}）`,
      fixRunbook: 'official-card-check',
      evidence: { bank: s.bank, count: s.count },
    });
  return e.kind === 'budget-exchange' ? [] : found;
}

/** How long before `now` something happened, in minutes — a relative time needs no time zone. */
function minutesAgo(at: string, now: string): string {
  const minutes = Math.floor((Date.parse(now) - Date.parse(at)) / 60_000);
  return Number.isNaN(minutes) ? '时间不明' : `${Math.max(0, minutes)} 分钟前`;
}

/** One subsystem's lights and findings. */
export function assessSubsystem(
  e: SubsystemExpected,
  look: SubsystemLook,
  work: SubsystemWork,
  judging: HealthJudging,
): SubsystemHealth {
  const programs = programFindings(e, look);
  const down = programs.length > 0;
  const restartable = look.programs.length > 0;
  const drafts = [
    ...programs,
    ...(down
      ? []
      : [
          ...portFindings(e, look),
          ...healthFindings(e, look, restartable),
          ...exchangeFindings(e, look, judging),
        ]),
    ...workFindings(e, work, judging),
  ];
  const present: SubsystemCheck[] = [
    ...(look.programs.length > 0 ? (['programs'] as const) : []),
    ...(look.ports.length > 0 ? (['ports'] as const) : []),
    ...(look.health ? (['health'] as const) : []),
    ...(e.version !== undefined && look.health ? (['version'] as const) : []),
    ...(look.health && (look.health.body as HealthBody | undefined)?.database ? (['database'] as const) : []),
    ...(hasWork(e) ? (['work'] as const) : []),
  ];
  const checks: Partial<Record<SubsystemCheck, Light>> = {};
  for (const c of present)
    checks[c] =
      down && c !== 'programs' && (c !== 'work' || e.kind === 'budget-exchange')
        ? 'skipped'
        : worst(drafts.filter((d) => d.check === c).map((d) => d.light));
  const body = (look.health?.body ?? {}) as HealthBody;
  const exchange =
    e.kind === 'budget-exchange' && look.health?.ok ? (look.health.body as ExchangeClientStatus) : undefined;
  return {
    subsystem: e.id,
    name: e.name,
    kind: e.kind,
    light: worst(Object.values(checks)),
    checks,
    findings: drafts.map((d) => ({ ...d, subsystem: e.id })),
    ...(body.version !== undefined && { version: body.version }),
    ...(body.database?.schemaVersion !== undefined && { schemaVersion: body.database.schemaVersion }),
    ...(exchange && {
      exchange: {
        lastCycleAt: exchange.lastCycleAt,
        lastError: exchange.lastError,
        certificate: exchange.certificate,
        queues: exchange.queues,
      },
    }),
  };
}

const hasWork = (e: SubsystemExpected) =>
  ['budget-exchange', 'procurement-push', 'payroll', 'official-card'].includes(e.kind);

/** The worst light of every subsystem. */
export const worstOf = (health: readonly SubsystemHealth[]): Light => worst(health.map((h) => h.light));
