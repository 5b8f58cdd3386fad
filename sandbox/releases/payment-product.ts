/**
 * The treasury payment system (国库集中支付) as the province ships it to the sandbox: the files of
 * each version (generated, the same bytes every time), and the database migrations between them.
 * 3.4.0 is what the sandbox has installed; 3.5.0 is the province's next release — a new notice
 * module and its table, an urgency column on vouchers, the legacy module gone. The faults' packages
 * (release-faults.ts) are variations of 3.5.0.
 */
import { createHash } from 'node:crypto';
import type { PackageMigration } from '../../domain/release-manifest.ts';

export const paymentProduct = 'payment';
export const installedPaymentVersion = '3.4.0';
export const nextPaymentVersion = '3.5.0';

/** The schema each version's database is at. */
export const paymentSchemaOf = (version: string) => (version === installedPaymentVersion ? '41' : '42');
export const installedPaymentSchema = paymentSchemaOf(installedPaymentVersion);

/** Bytes that look like a module and never change for a name and version. */
export function moduleBytes(name: string, version: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0, at = 0; at < size; i++, at += 32)
    createHash('sha256').update(`${name}@${version}#${i}`).digest().copy(out, at);
  return out;
}

const libs = (version: string) =>
  version === installedPaymentVersion
    ? ['lib/pay-core.jar', 'lib/pay-mq.jar', 'lib/pay-report.jar', 'lib/pay-legacy.jar']
    : ['lib/pay-core.jar', 'lib/pay-mq.jar', 'lib/pay-report.jar', 'lib/pay-notice.jar'];

/** A module's version: the report module did not change in 3.5.0, so its bytes stay 3.4.0's. */
const moduleVersion = (path: string, version: string) =>
  path === 'lib/pay-report.jar' || path === 'lib/pay-mq.jar' ? installedPaymentVersion : version;

/** Every file of `version`, by path, as installed. `classpath` overrides the list of modules the server loads. */
export function paymentFiles(version: string, options: { classpath?: string[] } = {}): Map<string, Buffer> {
  const modules = libs(version);
  const files = new Map<string, Buffer>([
    ['VERSION', Buffer.from(`${version}\n`)],
    [
      'bin/startup.sh',
      Buffer.from(
        '#!/bin/sh\n# 国库集中支付应用服务启动脚本\nexec java -cp "$(cat conf/classpath.txt)" gov.czzf.PayServer\n',
      ),
    ],
    [
      'conf/application.properties',
      Buffer.from(
        `# 国库集中支付系统 ${version}\nserver.port=\${PORT}\nmq.qmgr=QM.CZ\npay.notice.enabled=${version === installedPaymentVersion ? 'false' : 'true'}\n`,
      ),
    ],
    ['conf/classpath.txt', Buffer.from(`${(options.classpath ?? modules).join('\n')}\n`)],
    ['webapp/index.html', Buffer.from(`<!doctype html><title>国库集中支付 ${version}</title>\n`)],
  ]);
  for (const path of modules) files.set(path, moduleBytes(path, moduleVersion(path, version), 48 * 1024));
  return files;
}

/** 3.4.0 → 3.5.0: the notice module's templates, and an urgency flag on vouchers over ¥100,000. */
export const paymentMigrations: PackageMigration[] = [
  {
    id: '042-notice-templates',
    tables: ['pay_notice_templates'],
    forward: [
      'create table pay_notice_templates (code varchar(16) primary key, title varchar(64) not null)',
      "insert into pay_notice_templates (code, title) values ('PAID', '支付成功通知')",
      "insert into pay_notice_templates (code, title) values ('REJECTED', '支付退回通知')",
    ],
    back: [
      'drop table pay_notice_templates',
      "delete from pay_notice_templates where code = 'PAID'",
      "delete from pay_notice_templates where code = 'REJECTED'",
    ],
  },
  {
    id: '042-voucher-urgency',
    tables: ['vouchers'],
    forward: [
      'alter table vouchers add column urgency integer default 0 not null',
      'update vouchers set urgency = 1 where amount_fen >= 10000000',
    ],
    back: ['alter table vouchers drop column urgency', 'update vouchers set urgency = 0'],
  },
];

/**
 * Migrations that fail half-way from `from` (3.4.0's or 3.5.0's schema): the first migration done,
 * the second's first statement done, its second refused — it names a column vouchers do not have.
 */
export function failingMigrations(from: string): PackageMigration[] {
  const broken = 'update vouchers set urgency = 1 where amount_yuan >= 100000';
  if (from === installedPaymentVersion)
    return paymentMigrations.map((m, i) =>
      i === 1 ? { ...m, forward: [m.forward[0] as string, broken] } : m,
    );
  return [
    {
      id: '043-notice-channels',
      tables: ['pay_notice_templates'],
      forward: [
        "alter table pay_notice_templates add column channel varchar(16) default 'mq' not null",
        "update pay_notice_templates set channel = 'sms' where code = 'REJECTED'",
      ],
      back: [
        'alter table pay_notice_templates drop column channel',
        "update pay_notice_templates set channel = 'mq'",
      ],
    },
    {
      id: '043-voucher-priority',
      tables: ['vouchers'],
      forward: ['alter table vouchers add column priority integer default 0 not null', broken],
      back: ['alter table vouchers drop column priority', 'update vouchers set priority = 0'],
    },
  ];
}
