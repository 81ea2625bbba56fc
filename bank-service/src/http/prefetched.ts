import type { BankApiOperationId } from '@bank/bank-api';
import type { AuthenticatedUser } from './caller.ts';
import { dataKey, type AuthorizedRead } from './authorized-read.ts';
import type { OwnerLookup } from './ownership-reader.ts';
import type { User } from '../repositories/users-repository.ts';

// The result of this request's authorized read travels on its caller object (a symbol, so it is
// never serialised or spread into anything else by accident) and dies with the request.
const READ = Symbol('authorizedRead');
type WithRead = AuthenticatedUser & { [READ]?: AuthorizedRead };

export function attachAuthorizedRead(user: AuthenticatedUser, read: AuthorizedRead): void {
  (user as WithRead)[READ] = read;
}

function readOf(caller: AuthenticatedUser, operationId: BankApiOperationId): AuthorizedRead | undefined {
  const read = (caller as WithRead)[READ];
  return read?.operationId === operationId ? read : undefined;
}

/** Owners already read with the caller; anything else is asked of `fallback` (the database). */
export function prefetchedOwners(caller: AuthenticatedUser, operationId: BankApiOperationId, fallback: OwnerLookup): OwnerLookup {
  const read = readOf(caller, operationId);
  if (read === undefined) return fallback;
  return (kind, id) => {
    const key = `${kind}:${id}`;
    return read.owners.has(key) ? Promise.resolve(read.owners.get(key) ?? null) : fallback(kind, id);
  };
}

/** The page read with the caller for this very request (same ids and page), when its total is known. */
export function prefetchedPage<T>(
  caller: AuthenticatedUser,
  operationId: BankApiOperationId,
  params: Record<string, unknown>,
  query: { page_number: number; page_size: number },
): { total: number; rows: T[] } | undefined {
  const data = readOf(caller, operationId)?.data;
  if (data === undefined || data.total === null) return undefined;
  if (data.key !== dataKey(operationId, params, { page: query.page_number, pageSize: query.page_size })) return undefined;
  return { total: data.total, rows: data.rows as T[] };
}

/** The row read with the caller for this item request, when it was found. */
export function prefetchedItem<T>(caller: AuthenticatedUser, operationId: BankApiOperationId, params: Record<string, unknown>): T | undefined {
  const data = readOf(caller, operationId)?.data;
  if (data === undefined || data.key !== dataKey(operationId, params)) return undefined;
  return data.rows[0] as T | undefined;
}

/** The caller's own user row, read with it (whoami). */
export function prefetchedUser(caller: AuthenticatedUser, operationId: BankApiOperationId): User | undefined {
  return readOf(caller, operationId)?.user;
}
