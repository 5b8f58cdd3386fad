/**
 * Who may sign in and approve: the user directory port. The embedded default is a local store
 * (local-store.ts); a site binds the same interface to its LDAP or OIDC provider, mapping its
 * groups to the project's roles.
 */
export interface DirectoryUser {
  id: string;
  displayName: string;
  roles: string[];
}

export interface UserDirectory {
  /** The user when the password is right; undefined otherwise (never says which part was wrong). */
  authenticate(id: string, password: string): Promise<DirectoryUser | undefined>;
  get(id: string): Promise<DirectoryUser | undefined>;
  list(): Promise<DirectoryUser[]>;
}
