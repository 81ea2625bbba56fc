import type { BankApiHandlers, BankApiOperationId } from '@bank/bank-api';
import type { AuthenticatedUser, Caller } from './caller.ts';
import type { OwnerLookup } from './ownership-reader.ts';
import { prefetchedOwners } from './prefetched.ts';
import { policyTable, type Access, type BuiltInRole, type OwnedTarget, type PolicyEntry } from './policy-table.ts';

const ACCESS_DENIED = { status: 403, body: { msg: 'Access denied' } } as const;
const RANK: Record<Access, number> = { deny: 0, own: 1, allow: 2 };

export type AccessDecision =
  | { outcome: 'granted'; access: 'all' | 'own' }
  | { outcome: 'denied' }
  | { outcome: 'missing'; message: string };

interface RequestView {
  params: Record<string, unknown>;
  query?: Record<string, unknown>;
  body: unknown;
}

function isBuiltIn(role: string): role is BuiltInRole {
  return role === 'admin' || role === 'manager' || role === 'user';
}

/** The best access any of the caller's roles gives for this entry (custom roles give none). */
export function effectiveAccess(entry: Exclude<PolicyEntry, { public: true }>, roles: string[]): { access: Access; role?: BuiltInRole } {
  let best: { access: Access; role?: BuiltInRole } = { access: 'deny' };
  for (const role of roles) {
    if (!isBuiltIn(role)) continue;
    const access = entry.roles[role];
    if (RANK[access] > RANK[best.access]) best = { access, role };
  }
  return best;
}

function valueAt(request: RequestView, from: OwnedTarget['from']): unknown {
  const [where, name] = from.split('.') as ['params' | 'query' | 'body', string];
  const source = where === 'params' ? request.params : where === 'query' ? request.query : request.body;
  return typeof source === 'object' && source !== null ? (source as Record<string, unknown>)[name] : undefined;
}

const KIND_NAMES: Record<OwnedTarget['kind'], string> = {
  user: 'User',
  client: 'Client',
  account: 'Account',
  card: 'Card',
  transfer: 'Transfer',
};

/** Decide one request against the policy table: role, body-field rules, then ownership. */
export async function decideAccess(
  operationId: BankApiOperationId,
  user: AuthenticatedUser,
  request: RequestView,
  owners: OwnerLookup,
): Promise<AccessDecision> {
  const entry: PolicyEntry = policyTable[operationId];
  if (entry.public) return { outcome: 'granted', access: 'all' };
  const { access, role } = effectiveAccess(entry, user.roles);
  if (access === 'deny') return { outcome: 'denied' };

  const body = typeof request.body === 'object' && request.body !== null ? (request.body as Record<string, unknown>) : {};
  const staff = user.roles.includes('admin') || user.roles.includes('manager');
  if (!staff && entry.privilegedFields?.some((field) => body[field] !== undefined)) return { outcome: 'denied' };
  const allowedFields = role ? entry.roleFields?.[role] : undefined;
  if (allowedFields && Object.keys(body).some((field) => !allowedFields.includes(field))) return { outcome: 'denied' };

  // Rows named by the request must exist (404) and, for `own` access, belong to the caller (403).
  for (const target of entry.owns ?? []) {
    const value = valueAt(request, target.from);
    if (value === undefined) continue;
    const ownerIds = await owners(target.kind, Number(value));
    if (ownerIds === null) return { outcome: 'missing', message: `${KIND_NAMES[target.kind]} not found` };
    if (access === 'own' && !ownerIds.includes(user.userId)) return { outcome: 'denied' };
  }
  return { outcome: 'granted', access: access === 'allow' ? 'all' : 'own' };
}

type AnyHandler = (request: { params: Record<string, unknown>; query: Record<string, unknown>; body: unknown; caller: unknown }) => Promise<unknown>;

/**
 * Wrap the bank's handlers so that every secured operation is decided by the policy table first:
 * 403 `{"msg":"Access denied"}` for a wrong role or not the owner, 404 for a named row that does not
 * exist; the handler then gets a Caller carrying the granted access.
 */
export function withAccessControl(handlers: BankApiHandlers<Caller>, owners: OwnerLookup): BankApiHandlers<AuthenticatedUser> {
  const wrapped: Record<string, AnyHandler> = {};
  for (const [operationId, handler] of Object.entries(handlers) as [BankApiOperationId, AnyHandler][]) {
    const entry: PolicyEntry = policyTable[operationId];
    if (entry.public) {
      wrapped[operationId] = (request) => handler.call(handlers, request);
      continue;
    }
    wrapped[operationId] = async (request) => {
      const user = request.caller as AuthenticatedUser;
      const decision = await decideAccess(operationId, user, request, prefetchedOwners(user, operationId, owners));
      if (decision.outcome === 'denied') return ACCESS_DENIED;
      if (decision.outcome === 'missing') return { status: 404, body: { msg: decision.message } };
      const caller: Caller = { ...user, access: decision.access };
      return handler.call(handlers, { ...request, caller });
    };
  }
  return wrapped as unknown as BankApiHandlers<AuthenticatedUser>;
}
