/**
 * Users, roles and permissions of the application systems that keep them in the treasury database
 * (the payment system; the user-account management system beside it), one `system` column apart
 * (see migrations-access.ts), and the journal of access changes — one row per change, written in
 * the transaction that makes it, so a change retried after a crash is found made and never made twice.
 */

export interface AppUserTable {
  system: string;
  user_id: string;
  /** The person's name: personal data, shown masked. */
  user_name: string;
  status: 'active' | 'disabled';
  updated_at: string;
}

export interface AppRoleTable {
  system: string;
  role: string;
  title: string;
}

export interface AppPermissionTable {
  system: string;
  permission: string;
  title: string;
}

export interface AppUserRoleTable {
  system: string;
  user_id: string;
  role: string;
}

export interface AppRolePermissionTable {
  system: string;
  role: string;
  permission: string;
}

export interface AccessChangeJournalTable {
  /** The run that made it: `<workflow id>@<run id>`. */
  change_id: string;
  system: string;
  /** JSON: each user and role changed, with its digests before and after. */
  entities: string;
  applied_at: string;
}

export interface AccessTables {
  app_users: AppUserTable;
  app_roles: AppRoleTable;
  app_permissions: AppPermissionTable;
  app_user_roles: AppUserRoleTable;
  app_role_permissions: AppRolePermissionTable;
  access_change_journal: AccessChangeJournalTable;
}
