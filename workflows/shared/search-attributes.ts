/** The project's custom search attributes (registered by the embedded stack and by site setup). */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const RunbookKey = defineSearchAttributeKey('Runbook', SearchAttributeType.KEYWORD);
export const BankCodeKey = defineSearchAttributeKey('BankCode', SearchAttributeType.KEYWORD_LIST);
export const OutcomeKey = defineSearchAttributeKey('Outcome', SearchAttributeType.KEYWORD);
export const LightKey = defineSearchAttributeKey('Light', SearchAttributeType.KEYWORD);
export const PendingApprovalKey = defineSearchAttributeKey('PendingApproval', SearchAttributeType.BOOL);
export const ApprovalRolesKey = defineSearchAttributeKey('ApprovalRoles', SearchAttributeType.KEYWORD_LIST);
export const RequestedByKey = defineSearchAttributeKey('RequestedBy', SearchAttributeType.KEYWORD);
/** True while the run waits to be claimed: the inbox's 待认领 list is this one visibility query. */
export const AwaitingClaimKey = defineSearchAttributeKey('AwaitingClaim', SearchAttributeType.BOOL);
