import type { Db } from '../db/database.ts';
import { fromDbTimestamp, toBoolean, toNumber } from '../db/row-values.ts';

// What the access layer reads on every request: who owns a row, and who the caller is now.
// Each owner lookup returns null when the row itself does not exist (→ 404, not 403).

export async function ownerUserIdOfClient(db: Db, clientId: number): Promise<number | null> {
  const row = (await db('clients').where({ id: clientId }).first('user_id')) as { user_id: unknown } | undefined;
  return row === undefined ? null : toNumber(row.user_id);
}

export async function ownerUserIdOfAccount(db: Db, accountId: number): Promise<number | null> {
  const row = (await db('accounts')
    .join('clients', 'clients.id', 'accounts.client_id')
    .where('accounts.id', accountId)
    .first('clients.user_id as user_id')) as { user_id: unknown } | undefined;
  return row === undefined ? null : toNumber(row.user_id);
}

export async function ownerUserIdOfCard(db: Db, cardId: number): Promise<number | null> {
  const row = (await db('cards')
    .join('accounts', 'accounts.id', 'cards.account_id')
    .join('clients', 'clients.id', 'accounts.client_id')
    .where('cards.id', cardId)
    .first('clients.user_id as user_id')) as { user_id: unknown } | undefined;
  return row === undefined ? null : toNumber(row.user_id);
}

/** The id of the user's client, or null when the user has none (yet). */
export async function clientIdOfUser(db: Db, userId: number): Promise<number | null> {
  const row = (await db('clients').where({ user_id: userId }).first('id')) as { id: unknown } | undefined;
  return row === undefined ? null : toNumber(row.id);
}

/** Ids of the accounts of the user's client, ascending (empty without client or accounts). */
export async function accountIdsOfUser(db: Db, userId: number): Promise<number[]> {
  const rows = (await db('accounts')
    .join('clients', 'clients.id', 'accounts.client_id')
    .where('clients.user_id', userId)
    .orderBy('accounts.id', 'asc')
    .select('accounts.id as id')) as Array<{ id: unknown }>;
  return rows.map((r) => toNumber(r.id));
}

/** The caller as the database sees it right now (roles, block state, client, accounts). */
export interface Principal {
  id: number;
  email: string;
  roles: string[];
  is_blocked: boolean;
  client_id: number | null;
  account_ids: number[];
}

/**
 * Who the caller is right now for authorization: id, e-mail, block state, roles, and the
 * revocation time (epoch ms; tokens issued before it are void, null when never revoked).
 */
export type AuthPrincipal = Omit<Principal, 'client_id' | 'account_ids'> & { tokens_revoked_before: number | null };

/**
 * The per-request check of the authenticator, in one round trip (users ⟕ user_roles ⋈ roles);
 * null when the user no longer exists.
 */
export async function loadAuthPrincipal(db: Db, userId: number): Promise<AuthPrincipal | null> {
  const rows = (await db('users')
    .leftJoin('user_roles', 'user_roles.user_id', 'users.id')
    .leftJoin('roles', 'roles.id', 'user_roles.role_id')
    .where('users.id', userId)
    .orderBy('roles.name_key', 'asc')
    .select(
      'users.id as id',
      'users.email as email',
      'users.is_blocked as is_blocked',
      'users.tokens_revoked_before as tokens_revoked_before',
      'roles.name as role',
    )) as Array<{
    id: unknown;
    email: string;
    is_blocked: unknown;
    tokens_revoked_before: unknown;
    role: string | null;
  }>;
  const first = rows[0];
  if (first === undefined) return null;
  return {
    id: toNumber(first.id),
    email: first.email,
    is_blocked: toBoolean(first.is_blocked),
    roles: rows.flatMap((r) => (r.role === null ? [] : [r.role])),
    tokens_revoked_before: first.tokens_revoked_before === null ? null : Date.parse(fromDbTimestamp(first.tokens_revoked_before)),
  };
}

/** The principal with its client and accounts (for token claims); null when the user no longer exists. */
export async function loadPrincipal(db: Db, userId: number): Promise<Principal | null> {
  const found = await loadAuthPrincipal(db, userId);
  if (found === null) return null;
  const { tokens_revoked_before: _revoked, ...principal } = found;
  const [client_id, account_ids] = await Promise.all([clientIdOfUser(db, userId), accountIdsOfUser(db, userId)]);
  return { ...principal, client_id, account_ids };
}
