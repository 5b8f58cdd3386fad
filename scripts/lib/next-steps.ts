/**
 * The command lines `./jincai start` suggests to a new user once the stack is up, as the demo
 * accounts run them (each is also checked with --check-args by test/unit/readme-commands.test.ts).
 */
export function nextSteps(users: { engineer: string; approver: string }): { what: string; line: string }[] {
  return [
    {
      what: 'Start the daily inspection',
      line: `JINCAI_USER=${users.engineer} npm run runbook -- start daily-inspection --wait`,
    },
    { what: 'Inject a fault scenario', line: 'npm run sandbox:cli -- scenario bad-monday' },
    {
      what: 'Recover a channel',
      line: `JINCAI_USER=${users.engineer} npm run runbook -- start channel-recovery --input '{"bank":"ICBC"}'`,
    },
    { what: 'See the runs', line: 'npm run runbook -- list' },
    { what: 'Approve from the CLI', line: `JINCAI_USER=${users.approver} npm run runbook -- approvals` },
  ];
}
