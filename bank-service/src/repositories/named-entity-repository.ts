import { inTransaction, type Db } from '../db/database.ts';
import { withDbErrors, type DbErrorContext } from '../db/db-errors.ts';
import { toNumber } from '../db/row-values.ts';
import { NotFoundError } from '../domain/errors.ts';
import { paginate, type Page, type PageRequest } from './pagination.ts';

/** Social statuses, cities and banks: `{id, name}` with a case-insensitively unique name. */
export interface NamedEntity {
  id: number;
  name: string;
}

export interface NamedEntityInput {
  name: string;
}

export interface NamedEntityFilters {
  /** Exact name, case-insensitive. */
  name?: string;
  /** Part of the name, case-insensitive. */
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

/**
 * A `%…%` pattern for `like ? escape '!'` in which `%`, `_` and `!` from user input are literal.
 * (`!` rather than a backslash: MariaDB and SQLite disagree on backslashes in string literals.)
 */
export function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
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
        const [id] = (await db(table).insert({ name: input.name })) as number[];
        return get(db, toNumber(id));
      });
    },

    async findByName(db, name) {
      // NOCASE (SQLite) / *_ci collation (MariaDB): equality is case-insensitive on both.
      const row = (await db(table).where({ name }).first('id', 'name')) as NamedRow | undefined;
      return row === undefined ? null : toEntity(row);
    },

    async list(db, page, filters = {}) {
      const query = db(table).select('id', 'name');
      if (filters.name !== undefined) query.where({ name: filters.name });
      if (filters.name_contains !== undefined) {
        query.whereRaw("lower(??) like ? escape '!'", ['name', likePattern(filters.name_contains)]);
      }
      return paginate(query, page, 'id', toEntity);
    },

    async update(db, id, input) {
      return withDbErrors(errors('update'), async () => {
        if (input.name !== undefined) await db(table).where({ id }).update({ name: input.name });
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
