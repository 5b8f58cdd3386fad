/** The inbox's page of a run's approval: the link every notice about it carries. */
export function approvalLink(inboxUrl: string, workflowId: string): string {
  return `${inboxUrl.replace(/\/$/, '')}/approvals/${encodeURIComponent(workflowId)}`;
}
