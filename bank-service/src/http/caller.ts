/** The authenticated user behind a request, as read from the database on every request. */
export interface AuthenticatedUser {
  userId: number;
  email: string;
  roles: string[];
}

/**
 * What a bank handler receives as `request.caller`: the user plus the access the policy granted
 * for this operation — `all` (may act on any row) or `own` (only rows the user owns; lists are
 * scoped to them).
 */
export interface Caller extends AuthenticatedUser {
  access: 'all' | 'own';
}

export const isAdmin = (caller: AuthenticatedUser): boolean => caller.roles.includes('admin');
