/**
 * Input and result of a user, role and permission change (用户权限变更). Pure types and zod schemas:
 * safe in the workflow bundle, shared with the CLI, the activities and the tests. Users appear by
 * their ids; their names only masked.
 */
import { z } from 'zod';
import type { ApprovalPlan, GateOutcome } from '../approvals/gate-types.ts';
import { accessSystems, type AccessEntity, type AccessSystem } from '../access/access-changes.ts';
import type { Differing } from '../row-changes.ts';
import type { InspectionReportFiles } from './daily-inspection.types.ts';
import { reason, uniqueList, userId } from './input-fields.ts';

/** A user id, role or permission as the application systems spell them. */
const appName = (what: string) =>
  z.string().regex(/^[a-z][a-z0-9._-]{1,63}$/, `${what}: lower-case letters, digits, . _ -`);
const roles = uniqueList(appName('a role'), 10).optional();
const permissions = uniqueList(appName('a permission'), 20).optional();

/** Each listed once, by `key`: a second entry for the same user or role is named. */
function oncePerKey<T extends Record<K, string>, K extends string>(key: K) {
  return (items: T[], ctx: z.RefinementCtx) => {
    const first = new Map<string, number>();
    items.forEach((item, i) => {
      const seen = first.get(item[key]);
      if (seen === undefined) first.set(item[key], i);
      else
        ctx.addIssue({
          code: 'custom',
          path: [i, key],
          message: `listed already as item ${seen}; list each once`,
        });
    });
  };
}

const userChange = z
  .object({
    user: appName('a user id'),
    grant: roles,
    revoke: roles,
    status: z.enum(['active', 'disabled']).optional(),
  })
  .strict();
const roleChange = z.object({ role: appName('a role'), grant: permissions, revoke: permissions }).strict();

export const accessChangeInputSchema = z
  .object({
    /** The application system whose access changes. */
    system: z.enum(accessSystems),
    /** Users: roles granted or revoked, enabled or disabled. */
    users: z.array(userChange).max(100).superRefine(oncePerKey('user')).default([]),
    /** Roles: permissions granted or revoked (every user holding the role is affected). */
    roles: z.array(roleChange).max(20).superRefine(oncePerKey('role')).default([]),
    /** Who asks for the change (user id); this person cannot approve it. */
    requestedBy: userId,
    /** Why, in a few words (the ticket, the department's request); shown to approvers. */
    reason: reason.min(2),
    /** Stop after the preview: show what would change, change nothing. */
    dryRun: z.boolean().default(false),
  })
  .strict()
  .superRefine((input, ctx) => {
    if (input.users.length + input.roles.length === 0)
      ctx.addIssue({ code: 'custom', path: ['users'], message: 'name at least one user or role to change' });
    input.users.forEach((u, i) => {
      if (!u.grant?.length && !u.revoke?.length && u.status === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['users', i],
          message: 'grant, revoke or status: say what changes',
        });
      for (const r of u.grant ?? [])
        if (u.revoke?.includes(r))
          ctx.addIssue({
            code: 'custom',
            path: ['users', i, 'revoke'],
            message: `${r} is granted and revoked at once`,
          });
    });
    input.roles.forEach((r, i) => {
      if (!r.grant?.length && !r.revoke?.length)
        ctx.addIssue({ code: 'custom', path: ['roles', i], message: 'grant or revoke: say what changes' });
      for (const p of r.grant ?? [])
        if (r.revoke?.includes(p))
          ctx.addIssue({
            code: 'custom',
            path: ['roles', i, 'revoke'],
            message: `${p} is granted and revoked at once`,
          });
    });
  });
export type AccessChangeInput = z.input<typeof accessChangeInputSchema>;
export type AccessChangeParsed = z.output<typeof accessChangeInputSchema>;

export type AccessChangeOutcome =
  'changed' | 'refused' | 'moved' | 'unverified' | 'planned' | 'rejected' | 'expired';

/** What the change's one transaction did. */
export type AccessApplied =
  | { outcome: 'applied' | 'already'; statements: number; at: string }
  | { outcome: 'moved'; moved: Differing[]; problems: string[] };

export interface AccessChangeResult {
  runbook: 'access-change';
  workflowId: string;
  outcome: AccessChangeOutcome;
  system: AccessSystem;
  /** Every user and role the change touches, before and after. */
  entities: AccessEntity[];
  /** Everyone whose access changes: none of them may approve it. */
  concerns: string[];
  /** Active administrators before and after. */
  admins: { before: string[]; after: string[] };
  /** Why it was refused before approval (none: it was not). */
  problems: string[];
  /** Users or roles that moved since the preview: nothing was changed. */
  moved: Differing[];
  plan?: ApprovalPlan;
  planDigest?: string;
  approval?: GateOutcome;
  applied?: Extract<AccessApplied, { outcome: 'applied' | 'already' }>;
  /** Users and roles not as the change meant them, read back after it (empty: verified). */
  differ?: Differing[];
  report: InspectionReportFiles;
}
