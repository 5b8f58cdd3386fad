/**
 * The runbook catalog held to what it declares, entry by entry: the example input passes the
 * schema and the site checks, the README's catalog row says what the entry says, an integration
 * test runs the runbook against the real dev server and the sandbox, a recorded history of it is
 * replayed (and one of a run waiting at its approval gate, if it has one), every input field has a
 * Chinese label, the findings it says it fixes are exactly those the inspection names it for, and
 * the zones it declares are the ones its workflow code sends activities to; its approval policy
 * stands beneath the site's.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { stepPolicy } from '../../activities/approvals.ts';
import { checkInput } from '../../domain/errors.ts';
import { changeRunbooks, runbookCatalog } from '../../domain/runbooks/catalog.ts';
import {
  trafficKinds,
  type BankInspection,
  type ChannelEnd,
  type Finding,
} from '../../domain/runbooks/daily-inspection.types.ts';
import { inputForm, type FormField } from '../../inbox/input-form.ts';
import { validateRunbookInput } from '../../scripts/lib/runbook-input.ts';
import { defaultSiteFile, loadSite, projectRoot } from '../../temporal.config.ts';
import {
  runbookEntries,
  withFreezeExemptions,
  withRunbookApprovals,
  type CatalogEntry,
} from '../../workflows/catalog.ts';
import { assessBank } from '../../workflows/daily-inspection.assess.ts';

const site = loadSite(defaultSiteFile);
const entries = runbookEntries();
const inRoot = (...parts: string[]) => join(projectRoot, ...parts);
const readme = readFileSync(inRoot('README.md'), 'utf8');

/** The README's catalog table: each row's cells by the runbook id in its first cell. */
function readmeRows(): Map<string, string[]> {
  const section = readme.slice(
    readme.indexOf('## Runbook catalog'),
    readme.indexOf('⚑ = waits for approval'),
  );
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n').filter((l) => l.startsWith('| `'))) {
    const cells = line
      .slice(1, -1)
      .split(' | ')
      .map((c) => c.trim());
    rows.set(/^`([^`]+)`/.exec(cells[0] ?? '')?.[1] ?? '', cells);
  }
  return rows;
}

const expectedRow = (e: CatalogEntry) => [
  `\`${e.id}\` ${e.title.zh}${e.approval ? ' ⚑' : ''}`,
  `\`${e.workflowType}\``,
  e.changes ? 'yes' : 'no',
  `\`${JSON.stringify(e.example)}\``,
];

for (const entry of entries) {
  test(`${entry.id}: its example input passes its schema and the site checks`, () => {
    assert.equal(checkInput(entry.input, entry.example).ok, true);
    assert.doesNotThrow(() =>
      validateRunbookInput(entry.id, entry.example, site, new Date('2026-11-28T02:00:00Z')),
    );
  });

  test(`${entry.id}: the README's catalog has its row, as the entry says`, () => {
    assert.deepEqual(
      readmeRows().get(entry.id),
      expectedRow(entry),
      `the README row should read:\n| ${expectedRow(entry).join(' | ')} |`,
    );
  });

  test(`${entry.id}: an integration test runs it against the dev server and the sandbox`, () => {
    const dir = inRoot('test', 'integration');
    const files = readdirSync(dir).filter((f) => f.endsWith('.test.ts'));
    const named = files.some((f) => f === `${entry.id}.test.ts` || f.startsWith(`${entry.id}-`));
    const starting = files.filter((f) => {
      const source = readFileSync(join(dir, f), 'utf8');
      return source.includes('support/estate.ts') && source.includes(`'${entry.workflowType}'`);
    });
    assert.ok(
      named || starting.length > 0,
      `no test/integration/${entry.id}.test.ts, and no estate test starts ${entry.workflowType}`,
    );
  });

  test(`${entry.id}: every input field has a Chinese label for the start form`, () => {
    const unlabelled = (fields: FormField[]): string[] =>
      fields.flatMap((f) => [
        ...(f.label === f.key ? [f.key] : []),
        ...(f.kind === 'group' ? unlabelled(f.fields) : []),
        ...(f.kind === 'list' && f.item.kind === 'group' ? unlabelled(f.item.fields) : []),
      ]);
    assert.deepEqual(unlabelled(inputForm(entry.input, entry.fields).fields), []);
  });

  test(`${entry.id}: the zones it declares are those its workflow code sends activities to`, () => {
    assert.deepEqual([...zonesOf(`workflows/${entry.id}.ts`, new Set())].sort(), [...entry.zones].sort());
  });
}

const histories = readdirSync(inRoot('test', 'histories')).filter((f) => f.endsWith('.history.bin'));

for (const entry of entries) {
  test(`${entry.id}: a recorded history of it replays, and of a run waiting at its gate when it has one`, () => {
    const ofIt = histories.filter((h) => h === `${entry.id}.history.bin` || h.startsWith(`${entry.id}-`));
    assert.ok(ofIt.length > 0, `no recorded history in test/histories/ for ${entry.id}`);
    if (entry.approval)
      assert.ok(
        ofIt.includes(`${entry.id}-awaiting-approval.history.bin`),
        `no recorded history of ${entry.id} waiting at its approval gate (a deployment mid-run)`,
      );
  });
}

test("the README lists the contract's procedures not built yet, and only those", () => {
  const sentence = readme.slice(readme.indexOf('To be built'), readme.indexOf('### Daily inspection'));
  const listed = [...sentence.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]);
  const built = new Set(entries.map((e) => e.id));
  assert.deepEqual(
    listed.sort(),
    Object.keys(runbookCatalog)
      .filter((id) => !built.has(id as CatalogEntry['id']))
      .sort(),
  );
  assert.deepEqual([...readmeRows().keys()].sort(), [...built].sort());
});

/** A bank that shows every finding the inspection can make of it (with programs alive, or dead). */
function everyFinding(programsAlive: boolean): Finding[] {
  const end = (over: Partial<ChannelEnd>): ChannelEnd => ({
    qmgr: 'QM.CZ',
    channel: 'CZ.TO.ICBC',
    chltype: 'SDR',
    status: 'RUNNING',
    ...over,
  });
  const senders = [
    end({ status: 'RETRYING' }),
    end({ status: 'STOPPED', indoubt: true }),
    end({ status: 'STOPPED', lastSeq: 5 }),
    end({ status: 'STOPPED' }),
    end({ status: 'BINDING' }),
  ];
  return senders.flatMap((sender) => {
    const bank: BankInspection = {
      bank: 'ICBC',
      bankName: '中国工商银行',
      light: 'green',
      checks: {},
      findings: [],
      channels: {
        sender,
        receiver: end({ channel: 'ICBC.TO.CZ', chltype: 'RCVR', status: 'STOPPED' }),
        bankSender: end({ qmgr: 'QM.ICBC', channel: 'ICBC.TO.CZ', status: 'RETRYING' }),
        bankReceiver: end({ qmgr: 'QM.ICBC', chltype: 'RCVR', lastSeq: 7 }),
      },
      queues: {
        xmitq: { qmgr: 'QM.CZ', queue: 'QM.ICBC', depth: 500 },
        deadLetter: { qmgr: 'QM.CZ', queue: 'SYSTEM.DEAD.LETTER.QUEUE', depth: 3 },
      },
      frontEnd: { method: 'tcp', reachable: false, detail: 'refused' },
      programs: { programs: [{ name: '收发程序-ICBC', running: programsAlive, detail: '' }] },
      traffic: {
        date: '2026-11-27',
        reportDate: '2026-11-26',
        unsentBacklog: 2,
        reconciliation: [{ kind: 'payment-detail', result: 'unreadable', diffNum: 0 }],
        lines: trafficKinds.flatMap((kind) => [
          { kind, expected: 2, actual: 1 },
          { kind, expected: 1, actual: 2 },
        ]),
      },
    };
    return assessBank(bank, { xmitqDepthWarn: 100, deadLetterDepthWarn: 1 }).findings;
  });
}

test('each runbook fixes exactly the findings the inspection names it for', () => {
  const named = new Map<string, Set<string>>();
  for (const f of [...everyFinding(true), ...everyFinding(false)]) {
    named.set(f.fixRunbook, (named.get(f.fixRunbook) ?? new Set()).add(f.code));
  }
  for (const entry of entries) {
    assert.deepEqual(
      [...(entry.fixes?.findings ?? [])].sort(),
      [...(named.get(entry.id) ?? [])].sort(),
      entry.id,
    );
  }
});

/** The zones a workflow module and the workflow modules it imports send activities to. */
function zonesOf(file: string, seen: Set<string>): Set<string> {
  const zones = new Set<string>();
  // The catalog and its barrel import every runbook: not what this one calls.
  if (seen.has(file) || !existsSync(inRoot(file)) || /catalog\.ts$|index\.ts$/.test(file)) return zones;
  seen.add(file);
  const source = readFileSync(inRoot(file), 'utf8');
  for (const m of source.matchAll(/(?:[qQ]ueues\.|taskQueue: )(comm|db)\b/g)) zones.add(m[1] ?? '');
  for (const m of source.matchAll(/from '(\.[^']+\.ts)'/g)) {
    const target = join(dirname(file), m[1] ?? '');
    if (target.startsWith('workflows/')) for (const z of zonesOf(target, seen)) zones.add(z);
  }
  return zones;
}

test("each runbook's approval policy stands beneath the site's, field by field and step by step", () => {
  const policy = (s: typeof site, runbook: string, step: string) => {
    const { roles, quorum, deputyRoles } = stepPolicy(withRunbookApprovals(s), runbook, step);
    return { roles, quorum, deputyRoles };
  };
  assert.deepEqual(policy(site, 'sequence-resync', 'execute'), {
    roles: ['comm-approver', 'finance-approver'],
    quorum: 1,
    deputyRoles: ['finance-director'],
  });
  assert.deepEqual(policy(site, 'sequence-resync', 'resolve-in-doubt').roles, ['comm-approver']);
  assert.deepEqual(
    policy(site, 'receipt-registration-repair', 'register').roles,
    site.approvals.default.roles,
  );
  const overridden = {
    ...site,
    approvals: {
      ...site.approvals,
      runbooks: {
        'sequence-resync': { quorum: 2, steps: { 'resolve-in-doubt': { roles: ['finance-director'] } } },
      },
    },
  };
  assert.deepEqual(policy(overridden, 'sequence-resync', 'execute'), {
    roles: ['comm-approver', 'finance-approver'],
    quorum: 2,
    deputyRoles: ['finance-director'],
  });
  assert.deepEqual(policy(overridden, 'sequence-resync', 'resolve-in-doubt').roles, ['finance-director']);
});

test('only a change is exempt from the change freezes by its entry, and then from every window', () => {
  for (const entry of runbookEntries().filter((e) => e.freezeExempt))
    assert.ok(
      (changeRunbooks as readonly string[]).includes(entry.id) && entry.changes,
      `${entry.id} is freeze-exempt but not a change runbook`,
    );
  const site = loadSite(defaultSiteFile);
  const exempt = runbookEntries().flatMap((e) => (e.freezeExempt ? [e.id] : []));
  for (const window of withFreezeExemptions(site).calendar.freezes)
    assert.ok(
      exempt.every((id) => window.exempt.includes(id)),
      `${window.name} holds back ${exempt.join(', ')}`,
    );
});
