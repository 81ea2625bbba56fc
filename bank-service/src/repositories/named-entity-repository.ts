import { inTransaction, type Db } from '../db/database.ts';
import { withDbErrors, type DbErrorContext } from '../db/db-errors.ts';
import { toNumber } from '../db/row-values.ts';
import { NotFoundError } from '../domain/errors.ts';
import { nameColumns, nameKey } from './name-key.ts';
import { paginate, type Page, type PageRequest } from './pagination.ts';

/**
 * Social statuses, cities, banks and roles: `{id, name}` with a unique name compared through its
 * `name_key` (name-key.ts): case-insensitive for every script, accent-sensitive, the same on both engines.
 */
export interface NamedEntity {
  id: number;
  name: string;
}

export interface NamedEntityInput {
  name: string;
}

export interface NamedEntityFilters {
  /** Exact name, case-insensitive (Unicode). */
  name?: string;
  /** Part of the name, case-insensitive (Unicode); `%`, `_` and `!` are literal. */
  name_contains?: string;
}

interface NamedRow {
  id: unknown;
  name: string;
}

export interface NamedEntityRepository {
  create(db: Db, input: NamedEntityInput): Promise<NamedEntity>;
  find(db: Db, id: number): Promise<NamedEntity | null>;
  get(db: Db, id: number): Promise<NamedEntity>;
  findByName(db: Db, name: string): Promise<NamedEntity | null>;
  list(db: Db, page: PageRequest, filters?: NamedEntityFilters): Promise<Page<NamedEntity>>;
  update(db: Db, id: number, input: Partial<NamedEntityInput>): Promise<NamedEntity>;
  remove(db: Db, id: number): Promise<NamedEntity>;
}

const toEntity = (row: NamedRow): NamedEntity => ({ id: toNumber(row.id), name: row.name });

/** `text` for a LIKE pattern with `escape '!'`: `%`, `_` and `!` become literal. */
function escapeLike(text: string): string {
  return text.replace(/[!%_]/g, (c) => `!${c}`);
}

/**
 * A lower-cased `%…%` pattern for `like ? escape '!'` in which `%`, `_` and `!` from user input are
 * literal. (`!` rather than a backslash: MariaDB and SQLite disagree on backslashes in string literals.)
 */
export function likePattern(text: string): string {
  return `%${escapeLike(text.toLowerCase())}%`;
}

/** The `%…%` pattern matched against `name_key`: the key of `text`, escaped. */
export function nameKeyLikePattern(text: string): string {
  return `%${escapeLike(nameKey(text))}%`;
}

/**
 * The repository of a `{id, name}` table. `label` names the entity in messages ("social status");
 * `referencedMessage` is the sentence when deleting a row still in use.
 */
export function namedEntityRepository(table: string, label: string, referencedMessage: string): NamedEntityRepository {
  const capitalised = label.charAt(0).toUpperCase() + label.slice(1);
  const errors = (operation: DbErrorContext['operation']): DbErrorContext => ({
    entity: label,
    table,
    operation,
    // The unique index is on name_key; its violation is reported as the name's.
    fields: { name_key: 'name' },
    referencedMessage,
  });

  async function find(db: Db, id: number): Promise<NamedEntity | null> {
    const row = (await db(table).where({ id }).first('id', 'name')) as NamedRow | undefined;
    return row === undefined ? null : toEntity(row);
  }

  async function get(db: Db, id: number): Promise<NamedEntity> {
    const entity = await find(db, id);
    if (entity === null) throw new NotFoundError(`${capitalised} not found`);
    return entity;
  }

  return {
    find,
    get,

    async create(db, input) {
      return withDbErrors(errors('insert'), async () => {
        const [id] = (await db(table).insert(nameColumns(input.name))) as number[];
        return get(db, toNumber(id));
      });
    },

    async findByName(db, name) {
      const row = (await db(table).where({ name_key: nameKey(name) }).first('id', 'name')) as NamedRow | undefined;
      return row === undefined ? null : toEntity(row);
    },

    async list(db, page, filters = {}) {
      const query = db(table).select('id', 'name');
      if (filters.name !== undefined) query.where({ name_key: nameKey(filters.name) });
      if (filters.name_contains !== undefined) {
        // name_key is binary on both engines and already lower-cased: no lower() (ASCII-only on SQLite).
        query.whereRaw("?? like ? escape '!'", ['name_key', nameKeyLikePattern(filters.name_contains)]);
      }
      return paginate(query, page, 'id', toEntity);
    },

    async update(db, id, input) {
      return withDbErrors(errors('update'), async () => {
        if (input.name !== undefined) await db(table).where({ id }).update(nameColumns(input.name));
        return get(db, id);
      });
    },

    async remove(db, id) {
      return withDbErrors(errors('delete'), () =>
        inTransaction(db, async (trx) => {
          const entity = await get(trx, id);
          await trx(table).where({ id }).delete();
          return entity;
        }),
      );
    },
  };
}
