import { inTransaction, type Db } from '../db/database.ts';
import { withDbErrors, type DbErrorContext } from '../db/db-errors.ts';
import { toNumber } from '../db/row-values.ts';
import { NotFoundError } from '../domain/errors.ts';
import { likePattern } from './named-entity-repository.ts';
import { storedName } from './name-key.ts';
import { paginate, type Page, type PageRequest } from './pagination.ts';
import { assertReferenceExists, definedOnly } from './references.ts';

export interface Client {
  id: number;
  name: string;
  social_status_id: number;
  user_id: number;
}

export interface ClientInput {
  name: string;
  social_status_id: number;
  user_id: number;
}

export interface ClientFilters {
  /** Exact name. */
  name?: string;
  /** Part of the name, case-insensitive. */
  name_contains?: string;
  social_status_id?: number;
  user_id?: number;
}

interface ClientRow {
  id: unknown;
  name: string;
  social_status_id: unknown;
  user_id: unknown;
}

const COLUMNS = ['id', 'name', 'social_status_id', 'user_id'];
const errors = (operation: DbErrorContext['operation']): DbErrorContext => ({
  entity: 'client',
  table: 'clients',
  operation,
  uniqueMessages: { user_id: 'this user already has a client' },
  referencedMessage: 'this client still has accounts',
});

const toClient = (row: ClientRow): Client => ({
  id: toNumber(row.id),
  name: row.name,
  social_status_id: toNumber(row.social_status_id),
  user_id: toNumber(row.user_id),
});

async function assertParents(db: Db, input: Partial<ClientInput>): Promise<void> {
  if (input.social_status_id !== undefined) {
    await assertReferenceExists(db, 'social_statuses', input.social_status_id, 'social status');
  }
  if (input.user_id !== undefined) await assertReferenceExists(db, 'users', input.user_id, 'user');
}

export async function findClient(db: Db, id: number): Promise<Client | null> {
  const row = (await db('clients').where({ id }).first(COLUMNS)) as ClientRow | undefined;
  return row === undefined ? null : toClient(row);
}

export async function getClient(db: Db, id: number): Promise<Client> {
  const client = await findClient(db, id);
  if (client === null) throw new NotFoundError('Client not found');
  return client;
}

/** The client of a user (each user has at most one). */
export async function findClientByUserId(db: Db, userId: number): Promise<Client | null> {
  const row = (await db('clients').where({ user_id: userId }).first(COLUMNS)) as ClientRow | undefined;
  return row === undefined ? null : toClient(row);
}

/** Conflict when the user already has a client or a referenced row is missing. */
export async function createClient(db: Db, input: ClientInput): Promise<Client> {
  return withDbErrors(errors('insert'), async () => {
    await assertParents(db, input);
    const [id] = (await db('clients').insert({
      name: storedName(input.name),
      social_status_id: input.social_status_id,
      user_id: input.user_id,
    })) as number[];
    return getClient(db, toNumber(id));
  });
}

export async function listClients(db: Db, page: PageRequest, filters: ClientFilters = {}): Promise<Page<Client>> {
  const query = db('clients').select(COLUMNS);
  if (filters.name !== undefined) query.where({ name: storedName(filters.name) });
  if (filters.name_contains !== undefined) {
    query.whereRaw("lower(??) like ? escape '!'", ['name', likePattern(filters.name_contains)]);
  }
  if (filters.social_status_id !== undefined) query.where({ social_status_id: filters.social_status_id });
  if (filters.user_id !== undefined) query.where({ user_id: filters.user_id });
  return paginate(query, page, 'id', toClient);
}

export async function updateClient(db: Db, id: number, input: Partial<ClientInput>): Promise<Client> {
  return withDbErrors(errors('update'), async () => {
    await getClient(db, id);
    const name = input.name === undefined ? undefined : storedName(input.name);
    const changes = definedOnly({ name, social_status_id: input.social_status_id, user_id: input.user_id });
    await assertParents(db, changes);
    if (Object.keys(changes).length > 0) await db('clients').where({ id }).update(changes);
    return getClient(db, id);
  });
}

/** Conflict (nothing deleted) while the client has accounts. */
export async function deleteClient(db: Db, id: number): Promise<Client> {
  return withDbErrors(errors('delete'), () =>
    inTransaction(db, async (trx) => {
      const client = await getClient(trx, id);
      await trx('clients').where({ id }).delete();
      return client;
    }),
  );
}
