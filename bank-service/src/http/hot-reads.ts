import type { BankApiOperationId } from '@bank/bank-api';
import type { SqlValue } from '../db/prepared.ts';
import { storedName } from '../repositories/name-key.ts';

/**
 * The data part of the hot read paths, read in the same statement as the caller and the ownership
 * decision (authorized-read.ts). Each names its table (alias `t`), the columns the API answers and
 * the filter taken from the path; lists page by id. `ownerScope` is the condition a caller with
 * `own` access is limited to (`?` = the caller's user id) — which roles have `own` access comes
 * from the policy table, not from here.
 */
export interface HotRead {
  shape: 'item' | 'page';
  table: string;
  columns: readonly string[];
  /** Columns holding text; every other column is a number. */
  text?: readonly string[];
  /** Columns holding timestamps (answered as ISO-8601 `Z`). */
  timestamps?: readonly string[];
  /** `t.<column> = ?` filters, each bound to the named path parameter. */
  filters: Readonly<Record<string, string>>;
  ownerScope?: string;
  /** A row the path names that must exist for the list to be answered (else the handler's 404). */
  parent?: { table: string; param: string };
  /**
   * Optional query parameters narrowing the list, by name. Each present one adds its condition, so
   * the statement's text depends on which are present, never on their values (bounded statement
   * caches).
   */
  queryFilters?: Readonly<Record<string, QueryFilter>>;
}

/** A query parameter narrowing a list, with the meaning its repository gives it. */
export interface QueryFilter {
  /** `id`: a positive integer; `text`: one string, bound as `bind` makes it (as the repository does). */
  type: 'id' | 'text';
  /** The condition on `t`, each `?` bound to the value. */
  condition: string;
  bind?: (value: string) => SqlValue;
}

const CARD_COLUMNS = ['id', 'account_id', 'balance'] as const;
const ACCOUNT_COLUMNS = ['id', 'client_id', 'bank_id', 'balance'] as const;
const CLIENT_COLUMNS = ['id', 'name', 'social_status_id', 'user_id'] as const;

const TRANSFER_COLUMNS = ['id', 'from_card_id', 'to_card_id', 'amount', 'created_at'] as const;
const CARDS_OF_USER = 'SELECT k.id FROM cards k JOIN accounts a ON a.id = k.account_id JOIN clients c ON c.id = a.client_id WHERE c.user_id = ?';

const ACCOUNTS_OF_USER = 't.client_id IN (SELECT c.id FROM clients c WHERE c.user_id = ?)';
/** A list of accounts narrowed by one path parameter; a user sees only its own. */
const accountList = (column: string, param: string): HotRead => ({
  shape: 'page',
  table: 'accounts',
  columns: ACCOUNT_COLUMNS,
  filters: { [column]: param },
  ownerScope: ACCOUNTS_OF_USER,
});

const cardItem: HotRead = { shape: 'item', table: 'cards', columns: CARD_COLUMNS, filters: { id: 'id' } };

export const hotReads: Partial<Record<BankApiOperationId, HotRead>> = {
  getCard: cardItem,
  getAccountsCard: cardItem,
  listAccountCards: { shape: 'page', table: 'cards', columns: CARD_COLUMNS, filters: { account_id: 'account_id' } },
  listBankAccounts: { ...accountList('bank_id', 'bank_id'), parent: { table: 'banks', param: 'bank_id' } },
  getAccount: { shape: 'item', table: 'accounts', columns: ACCOUNT_COLUMNS, filters: { id: 'id' } },
  listClientAccounts: accountList('client_id', 'client_id'),
  getClient: { shape: 'item', table: 'clients', columns: CLIENT_COLUMNS, text: ['name'], filters: { id: 'id' } },
  listTransfers: {
    shape: 'page',
    table: 'transfers',
    columns: TRANSFER_COLUMNS,
    timestamps: ['created_at'],
    filters: {},
    queryFilters: { card_id: { type: 'id', condition: '(t.from_card_id = ? OR t.to_card_id = ?)' } },
    ownerScope: `(t.from_card_id IN (${CARDS_OF_USER}) OR t.to_card_id IN (${CARDS_OF_USER}))`,
  },
  getTransfer: {
    shape: 'item',
    table: 'transfers',
    columns: TRANSFER_COLUMNS,
    timestamps: ['created_at'],
    filters: { id: 'id' },
  },
  listClients: {
    shape: 'page',
    table: 'clients',
    columns: CLIENT_COLUMNS,
    text: ['name'],
    filters: {},
    // as listClients (clients-repository.ts): the exact name as stored (NFC), the social status by id
    queryFilters: {
      name: { type: 'text', condition: 't.name = ?', bind: storedName },
      social_status_id: { type: 'id', condition: 't.social_status_id = ?' },
    },
    ownerScope: 't.user_id = ?',
  },
};

/** A page as the lists take it: defaults and bounds of the spec (page_number ≥ 1, page_size 1–100). */
export interface PrefetchPage {
  page: number;
  pageSize: number;
}
