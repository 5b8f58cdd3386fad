/** 新增代理银行 — adding an agent bank's catalog entry (see shared/runbook-definition.ts). */
import { addAgentBankInputSchema } from '../domain/runbooks/add-agent-bank.types.ts';
import { confinedPathProblems } from '../domain/runbooks/input-estate.ts';
import { addAgentBank } from './add-agent-bank.ts';
import { defineRunbook } from './shared/runbook-definition.ts';
import { bankRunLabels, siteBanks } from './shared/start-checks.ts';

export { addAgentBank };

export const addAgentBankRunbook = defineRunbook({
  id: 'add-agent-bank',
  workflow: addAgentBank,
  input: addAgentBankInputSchema,
  example: {
    code: 'HXB',
    name: '华夏银行',
    frontEnd: { host: '10.8.1.20', port: 1414 },
    requestedBy: 'zhang.san',
    dryRun: true,
  },
  fields: {
    code: '银行代码',
    name: '银行名称',
    frontEnd: '银行前置机',
    'frontEnd.host': '地址',
    'frontEnd.port': 'MQ 监听端口',
    window: '业务时间',
    'window.open': '开始（HH:MM）',
    'window.close': '结束（HH:MM）',
    qmgr: '银行队列管理器（默认 QM.<代码>）',
    senderChannel: '财政发送通道（默认 CZ.TO.<代码>）',
    receiverChannel: '银行发送通道（默认 <代码>.TO.CZ）',
    xmitq: '传输队列（默认 QM.<代码>）',
    bankInQueue: '银行接收队列',
    programs: '收发程序',
    'programs.name': '程序名称',
    'programs.pidFile': 'pid 文件',
    'programs.systemdUnit': 'systemd 单元',
    bankQmgrAccess: '可管理银行队列管理器',
    voucherRules: {
      label: '凭证要素规范（默认按银行代码）',
      options: { standard: '标准', 'rural-commercial': '农商行' },
    },
    requestedBy: bankRunLabels.requestedBy,
    reason: '原因（如合同编号）',
    dryRun: bankRunLabels.dryRun,
    waitSeconds: '等待银行确认（秒）',
  },
  // One onboarding per bank code: the id has no date, and a code already in the estate is refused.
  workflowId: (input) => `add-agent-bank/${input.code}`,
  siteProblems: (input, site) => [
    ...(siteBanks(site).includes(input.code)
      ? [`input.code: bank code "${input.code}" is already in the estate; expected a new code`]
      : []),
    ...input.programs.flatMap((p, i) =>
      'pidFile' in p ? confinedPathProblems(`input.programs[${i}].pidFile`, p.pidFile, site.pidDirs) : [],
    ),
  ],
  changes: true,
  // A new agent bank is a contract matter (the fee rises past five banks): finance decides.
  approval: { policy: { roles: ['finance-approver'] }, steps: { execute: {} } },
  zones: ['comm', 'db'],
});
