/** Access changes under test: an estate without send/receive programs whose approvers of an access change are the test's comm approvers. */
import { addTestUsers } from './approvals.ts';
import { startTestEstate, type TestEstate } from './estate.ts';

export async function startAccessEstate(): Promise<TestEstate> {
  const estate = await startTestEstate({
    banks: ['ICBC'],
    programs: false,
    edit: (raw) => {
      (raw.approvals as Record<string, unknown>).runbooks = { 'access-change': { roles: ['comm-approver'] } };
    },
  });
  await addTestUsers(estate.site);
  return estate;
}
