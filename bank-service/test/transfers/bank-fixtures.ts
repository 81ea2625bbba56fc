import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { createTestDatabase } from '@bank/platform/testing';
import { createDatabase } from '../../src/db/database.ts';
import { migrateLatest } from '../../src/db/migrator.ts';
import { toDbTimestamp, toNumber } from '../../src/db/row-values.ts';
import { nameColumns } from '../../src/repositories/name-key.ts';

export type Engine = 'sqlite' | 'mysql';
export const ENGINES: readonly Engine[] = ['sqlite', 'mysql'];

export interface TestDb {
  engine: Engine;
  db: Knex;
  /** DATABASE_URL of this database (for a second connection). */
  url: string;
  /** Destroy the pool and delete the database (file or MariaDB database). */
  close(): Promise<void>;
}

/** A migrated, empty bank database: a temp SQLite file, or a fresh MariaDB database with a pool of `poolMax`. */
export async function openTestDb(engine: Engine, poolMax = 12): Promise<TestDb> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'bank-test-'));
    const url = `sqlite:${join(dir, 'bank.sqlite')}`;
    const db = createDatabase(url);
    await migrateLatest(db);
    return {
      engine,
      db,
      url,
      close: async () => {
        await db.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const database = await createTestDatabase();
  const db = createDatabase(database.url, { pool: { min: 0, max: poolMax } });
  try {
    await migrateLatest(db);
  } catch (err) {
    await db.destroy();
    await database.drop();
    throw err;
  }
  return {
    engine,
    db,
    url: database.url,
    close: async () => {
      await db.destroy();
      await database.drop();
    },
  };
}

let sequence = 0;

export interface Owner {
  userId: number;
  cardIds: number[];
}

/** A user with a client, one account and one card per balance. */
export async function createOwnerWithCards(db: Knex, balances: readonly number[]): Promise<Owner> {
  sequence++;
  const now = toDbTimestamp(new Date());
  const [userId] = await db('users').insert({
    email: `owner${sequence}@example.com`,
    email_normalized: `owner${sequence}@example.com`,
    password_hash: 'x',
    is_blocked: false,
    registered_on: now,
  });
  const [statusId] = await db('social_statuses').insert(nameColumns(`Status ${letters(sequence)}`));
  const [bankId] = await db('banks').insert(nameColumns(`Bank ${letters(sequence)}`));
  const [clientId] = await db('clients').insert({ name: `Client ${sequence}`, social_status_id: statusId, user_id: userId });
  const [accountId] = await db('accounts').insert({ client_id: clientId, bank_id: bankId, balance: 0 });
  const cardIds: number[] = [];
  for (const balance of balances) {
    const [cardId] = await db('cards').insert({ account_id: accountId, balance });
    cardIds.push(toNumber(cardId));
  }
  return { userId: toNumber(userId), cardIds };
}

/** Names allow letters only: 1 → "a", 27 → "ab". */
function letters(n: number): string {
  let text = '';
  for (let v = n; v > 0; v = Math.floor((v - 1) / 26)) text = String.fromCharCode(97 + ((v - 1) % 26)) + text;
  return text;
}

export async function balances(db: Knex, cardIds: readonly number[]): Promise<number[]> {
  const rows = (await db('cards').select('id', 'balance').whereIn('id', [...cardIds])) as Array<{ id: unknown; balance: unknown }>;
  const byId = new Map(rows.map((r) => [toNumber(r.id), toNumber(r.balance)]));
  return cardIds.map((id) => byId.get(id) ?? Number.NaN);
}

export async function countRows(db: Knex, table: string): Promise<number> {
  const row = (await db(table).count({ n: '*' }).first()) as { n: unknown } | undefined;
  return row === undefined ? 0 : toNumber(row.n);
}
