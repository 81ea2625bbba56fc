import type { BankApiOperationId } from '@bank/bank-api';

/**
 * What a role may do with an operation: `allow` (any row), `own` (only rows the caller owns;
 * ownership is read from the database on every request), `deny` (403).
 *
 * The access rule (PRODUCT.md), the same on every route: a role whose access is `deny` gets 403
 * before any row is looked up; for a role that may call the operation, a row the request names
 * (`owns`) that does not exist is 404, and one that exists but is not the caller's (access `own`)
 * is 403.
 */
export type Access = 'allow' | 'own' | 'deny';
export type BuiltInRole = 'admin' | 'manager' | 'user';

/** A row the request names, whose owner must be the caller when access is `own`. */
export interface OwnedTarget {
  kind: 'user' | 'client' | 'account' | 'card' | 'transfer';
  /** Where the id is: a path parameter, a query parameter or a body field. Absent values are not checked. */
  from: `params.${string}` | `query.${string}` | `body.${string}`;
}

export type PolicyEntry =
  | { public: true }
  | {
      public?: false;
      roles: Record<BuiltInRole, Access>;
      /** Checked for callers whose access is `own`: each present id must be theirs (missing row → 404). */
      owns?: OwnedTarget[];
      /** Body fields only `admin` or `manager` may send (e.g. a balance): 403 for anyone else. */
      privilegedFields?: string[];
      /** When set for a role, that role may send only these body fields (e.g. a manager: balance only). */
      roleFields?: Partial<Record<BuiltInRole, string[]>>;
    };

const adminOnly = { admin: 'allow', manager: 'deny', user: 'deny' } as const;
const anyone = { admin: 'allow', manager: 'allow', user: 'allow' } as const;
const staff = { admin: 'allow', manager: 'allow', user: 'deny' } as const;
/** Reference data: everyone reads, admin and manager write. */
const readReference = anyone;
const writeReference = staff;
/** Owned rows: admin and manager read everything, a user only its own. */
const readOwned = { admin: 'allow', manager: 'allow', user: 'own' } as const;
/** Owned rows: admin changes anything, a user only its own, a manager nothing. */
const writeOwned = { admin: 'allow', manager: 'deny', user: 'own' } as const;
/** Accounts and cards: admin changes anything, a manager only balances, a user nothing (money moves by transfer). */
const updateOwnedOrBalance = staff;
const managerSetsBalanceOnly = { manager: ['balance'] };

const client = (from: OwnedTarget['from']): OwnedTarget => ({ kind: 'client', from });
const account = (from: OwnedTarget['from']): OwnedTarget => ({ kind: 'account', from });
const card = (from: OwnedTarget['from']): OwnedTarget => ({ kind: 'card', from });

/**
 * The one policy table of the bank API, keyed by operationId. `satisfies Record<…>` makes an
 * operation added to the spec without a policy entry a compile error (and the access-matrix test
 * fails on it too).
 */
export const policyTable = {
  register: { public: true },
  login: { public: true },
  getHealth: { public: true },
  getReady: { public: true },
  whoami: { roles: anyone },

  listUsers: { roles: adminOnly },
  createUser: { roles: adminOnly },
  getUser: { roles: adminOnly },
  updateUser: { roles: adminOnly },
  deleteUser: { roles: adminOnly },

  listRoles: { roles: adminOnly },
  createRole: { roles: adminOnly },
  getRole: { roles: adminOnly },
  updateRole: { roles: adminOnly },
  deleteRole: { roles: adminOnly },

  listSocialStatuses: { roles: readReference },
  createSocialStatus: { roles: writeReference },
  getSocialStatus: { roles: readReference },
  updateSocialStatus: { roles: writeReference },
  deleteSocialStatus: { roles: writeReference },

  listCities: { roles: readReference },
  createCity: { roles: writeReference },
  getCity: { roles: readReference },
  updateCity: { roles: writeReference },
  deleteCity: { roles: writeReference },

  listBanks: { roles: readReference },
  createBank: { roles: writeReference },
  getBank: { roles: readReference },
  updateBank: { roles: writeReference },
  deleteBank: { roles: writeReference },

  listBankBranches: { roles: readReference },
  createBankBranch: { roles: writeReference },
  getBranch: { roles: readReference },
  updateBranch: { roles: writeReference },
  deleteBranch: { roles: writeReference },

  // A user lists only its own client; creates one for itself (user_id, when sent, must be its own).
  listClients: { roles: readOwned },
  createClient: { roles: writeOwned, owns: [{ kind: 'user', from: 'body.user_id' }] },
  getClient: { roles: readOwned, owns: [client('params.id')] },
  updateClient: { roles: adminOnly, owns: [client('params.id')] },
  deleteClient: { roles: adminOnly, owns: [client('params.id')] },

  listBankAccounts: { roles: readOwned },
  createBankAccount: { roles: writeOwned, owns: [client('body.client_id')], privilegedFields: ['balance'] },
  listClientAccounts: { roles: readOwned, owns: [client('params.client_id')] },
  createClientAccount: { roles: writeOwned, owns: [client('params.client_id')], privilegedFields: ['balance'] },
  getAccount: { roles: readOwned, owns: [account('params.id')] },
  updateAccount: {
    roles: updateOwnedOrBalance,
    owns: [account('params.id'), client('body.client_id')],
    privilegedFields: ['balance'],
    roleFields: managerSetsBalanceOnly,
  },
  deleteAccount: { roles: writeOwned, owns: [account('params.id')] },

  listAccountCards: { roles: readOwned, owns: [account('params.account_id')] },
  createAccountCard: { roles: writeOwned, owns: [account('params.account_id')], privilegedFields: ['balance'] },
  getCard: { roles: readOwned, owns: [card('params.id')] },
  updateCard: {
    roles: updateOwnedOrBalance,
    owns: [card('params.id'), account('body.account_id')],
    privilegedFields: ['balance'],
    roleFields: managerSetsBalanceOnly,
  },
  deleteCard: { roles: writeOwned, owns: [card('params.id')] },
  getAccountsCard: { roles: readOwned, owns: [card('params.id')] },
  updateAccountsCard: {
    roles: updateOwnedOrBalance,
    owns: [card('params.id'), account('body.account_id')],
    privilegedFields: ['balance'],
    roleFields: managerSetsBalanceOnly,
  },
  deleteAccountsCard: { roles: writeOwned, owns: [card('params.id')] },

  // Money moves only by transfer: from a card the caller owns (admin: any card).
  listTransfers: { roles: writeOwned, owns: [card('query.card_id')] },
  createTransfer: { roles: writeOwned, owns: [card('body.from_card_id')] },
  getTransfer: { roles: writeOwned, owns: [{ kind: 'transfer', from: 'params.id' }] },
} as const satisfies Record<BankApiOperationId, PolicyEntry>;
