import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAccessActivities } from '../../activities/access.ts';
import { createApprovalActivities } from '../../activities/approvals.ts';
import { createAuditActivities } from '../../activities/audit.ts';
import { createBankCheckActivities } from '../../activities/bank-checks/index.ts';
import { kindOf } from '../../activities/activity-kinds.ts';
import { createBankOnboardingDbActivities } from '../../activities/bank-onboarding-db.ts';
import { createBankOnboardingMqActivities } from '../../activities/bank-onboarding-mq.ts';
import { createBankQuestionActivities } from '../../activities/bank-questions.ts';
import { createBankRegistryActivities } from '../../activities/bank-registry.ts';
import { createCalendarActivities } from '../../activities/calendar.ts';
import { createChannelSequenceActivities } from '../../activities/channel-sequence.ts';
import { createControlActivities } from '../../activities/control.ts';
import { createDataFixActivities } from '../../activities/data-fix.ts';
import { createHostActivities } from '../../activities/host.ts';
import { createBulkInspectionActivities } from '../../activities/inspection-bulk.ts';
import { createLockActivities } from '../../activities/locks.ts';
import { createMessageSerialActivities } from '../../activities/message-serials.ts';
import { createMqActivities } from '../../activities/mq.ts';
import { createNotifyActivities } from '../../activities/notify.ts';
import { declaredActions } from '../../activities/proof-actions.ts';
import { createRequesterActivities } from '../../activities/requester.ts';
import { createStatementActivities } from '../../activities/statements/index.ts';
import { createTreasuryActivities } from '../../activities/treasury.ts';
import { createVoucherActivities } from '../../activities/vouchers.ts';
import { defaultSiteFile, loadSite } from '../../temporal.config.ts';

// The README's "Security model" lists these as the activities that need an approval proof.
const needProof = [
  'startSenderChannel',
  'stopSenderChannel',
  'startBankSenderChannel',
  'stopBankSenderChannel',
  'resetSenderSequence',
  'backOutInDoubt',
  'realignOutgoingSerial',
  'defineFinanceObject',
  'startNewSender',
  'registerAgentBank',
  'requestOnboardingPushes',
  'requestOnboardingTestQuery',
  'registerBank',
  'normalisePayeeFields',
  'pushBaseData',
  'requeueVouchers',
  'alignVoucherStatus',
  'applyMutation',
  'applyDataFix',
  'undoDataFix',
  'applyAccessChange',
].sort();

const site = loadSite(defaultSiteFile);
const stub = {} as never;
/** Every activity the workers register, by name. */
const all: Record<string, unknown> = {
  ...createControlActivities({ site }),
  ...createApprovalActivities({ site, users: stub, signers: [] }),
  ...createRequesterActivities({ site, signers: [], ledger: stub, runs: stub, log: stub }),
  ...createAuditActivities({ audit: stub }),
  ...createLockActivities({
    site,
    client: stub,
    current: stub,
    runs: stub,
    isProjectRun: stub,
    audit: stub,
    log: stub,
  }),
  ...createNotifyActivities({ notifier: stub }),
  ...createBankRegistryActivities({ site }),
  ...createCalendarActivities({ site, calendar: stub }),
  ...createMqActivities({ mq: stub, site }),
  ...createChannelSequenceActivities({ mq: stub, site }),
  ...createHostActivities({ host: stub, site }),
  ...createBulkInspectionActivities({ mq: stub, host: stub, site }),
  ...createBankOnboardingMqActivities({ mq: stub, host: stub, site }),
  ...createTreasuryActivities({ db: stub, site, calendar: stub }),
  ...createMessageSerialActivities({ db: stub, site }),
  ...createBankOnboardingDbActivities({ db: stub }),
  ...createVoucherActivities({ db: stub, site }),
  ...createBankCheckActivities({ db: stub, site, calendar: stub }),
  ...createBankQuestionActivities({ db: stub, site }),
  ...createStatementActivities({ db: stub, site, calendar: stub }),
  ...createDataFixActivities({ db: stub, sealer: stub }),
  ...createAccessActivities({ db: stub }),
};
const named = (keep: (fn: unknown) => unknown) =>
  Object.entries(all)
    .filter(([, fn]) => keep(fn))
    .map(([name]) => name)
    .sort();

test('every activity the workers register is either read-only or needs an approval proof, as the README lists', () => {
  assert.deepEqual(named(declaredActions), needProof);
});

test('every activity is declared as what it does: each one needing a proof writes, and so do filing a question for a bank, asking for a statement or replying to it, recording a reconciliation result and ending a foreign lock', () => {
  assert.deepEqual(
    named((fn) => kindOf(fn) === 'write'),
    [
      ...needProof,
      'askBank',
      'requestStatement',
      'sendStatementReply',
      'recordReconciliation',
      'refuseForeignLock',
    ].sort(),
  );
  assert.deepEqual(
    named((fn) => kindOf(fn) === 'record'),
    [
      'appendAudit',
      'notify',
      'releaseLock',
      'verifyStartAssertion',
      'writeInspectionReport',
      'writeRunbookReport',
    ],
  );
});
