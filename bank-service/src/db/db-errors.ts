import { ConflictError, DomainError, ServiceUnavailableError } from '../domain/errors.ts';

// Driver errors (mysql2, better-sqlite3, knex's pool) → domain errors with a safe sentence.
// Anything unrecognised is returned unchanged (the HTTP layer answers 500 without details).

export interface DbErrorContext {
  /** What the statement was about, in words: "bank", "social status", "user". */
  entity: string;
  /** The table written to; lets a MariaDB index name `<table>_<column>_unique` be read back as the column. */
  table?: string;
  /** 'delete' turns a foreign-key failure into "still referenced"; otherwise it is "does not exist". */
  operation?: 'insert' | 'update' | 'delete';
  /** Column → words for unique/foreign-key messages, e.g. { email_normalized: 'email' }. */
  fields?: Record<string, string>;
  /** Complete sentence for deleting a row others still reference, e.g. 'this account still has cards'. */
  referencedMessage?: string;
  /** Column → complete sentence for a unique violation, e.g. { user_id: 'this user already has a client' }. */
  uniqueMessages?: Record<string, string>;
}

interface DriverError {
  code?: unknown;
  /** mysql2 sets it on errors that end the connection (e.g. a ROLLBACK sent on a connection already closed). */
  fatal?: unknown;
  errno?: unknown;
  name?: unknown;
  message?: unknown;
  sqlMessage?: unknown;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_ACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
]);
const CONNECTION_ERRNOS = new Set([1040, 1045, 1049, 1053, 1205, 1213, 2002, 2003, 2006, 2013]);

type Kind = 'unique' | 'foreign_key_parent' | 'foreign_key_child' | 'foreign_key' | 'check' | 'connection' | null;

function classify(error: DriverError): Kind {
  const code = typeof error.code === 'string' ? error.code : '';
  const errno = typeof error.errno === 'number' ? error.errno : -1;
  if (code === 'ER_DUP_ENTRY' || errno === 1062 || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return 'unique';
  }
  if (code === 'ER_ROW_IS_REFERENCED_2' || code === 'ER_ROW_IS_REFERENCED' || errno === 1451 || errno === 1217) {
    return 'foreign_key_parent';
  }
  if (code === 'ER_NO_REFERENCED_ROW_2' || code === 'ER_NO_REFERENCED_ROW' || errno === 1452 || errno === 1216) {
    return 'foreign_key_child';
  }
  // SQLite reports an immediate RESTRICT action as a trigger failure, a deferred check as FOREIGNKEY.
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreign_key';
  if (code === 'SQLITE_CONSTRAINT_TRIGGER' && /FOREIGN KEY constraint failed/.test(driverText(error))) return 'foreign_key';
  if (
    code === 'ER_CHECK_CONSTRAINT_VIOLATED' ||
    code === 'ER_CONSTRAINT_FAILED' ||
    errno === 3819 ||
    errno === 4025 ||
    code === 'SQLITE_CONSTRAINT_CHECK'
  ) {
    return 'check';
  }
  if (CONNECTION_CODES.has(code) || CONNECTION_ERRNOS.has(errno) || error.name === 'KnexTimeoutError') return 'connection';
  // A transaction whose connection died rejects with the failed ROLLBACK's error, which has no code:
  // "Can't add new command when connection is in closed state", marked fatal by mysql2.
  if (error.fatal === true) return 'connection';
  return null;
}

function driverText(error: DriverError): string {
  if (typeof error.sqlMessage === 'string') return error.sqlMessage;
  return typeof error.message === 'string' ? error.message : '';
}

/** The column a unique violation is about: SQLite names `table.column`, MariaDB names the index. */
function uniqueColumn(error: DriverError, table: string | undefined): string | undefined {
  const text = driverText(error);
  const sqlite = /UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)/.exec(text);
  if (sqlite?.[1]) return sqlite[1].split(', ').pop()?.split('.').pop();
  const mysql = /for key '(?:[\w]+\.)?([\w]+)'/.exec(text);
  const index = mysql?.[1];
  if (!index) return undefined;
  // Index names follow `<table>_<column>_unique`.
  if (table !== undefined && index.startsWith(`${table}_`) && index.endsWith('_unique')) {
    return index.slice(table.length + 1, -'_unique'.length);
  }
  return /^[a-z]+_(.+)_unique$/.exec(index)?.[1];
}

/** The column a missing-parent violation is about (MariaDB only says it; SQLite does not). */
function foreignKeyColumn(error: DriverError): string | undefined {
  return /FOREIGN KEY \(`(\w+)`\)/.exec(driverText(error))?.[1];
}

function article(words: string): string {
  return /^[aeio]/i.test(words) ? 'an' : 'a'; // "a user", "an account"
}

function words(column: string, context: DbErrorContext): string {
  return context.fields?.[column] ?? column.replace(/_id$/, '').replace(/_/g, ' ');
}

/** Map a thrown value to a domain error when it is a recognised driver error; else return it as is. */
export function toDomainError(error: unknown, context: DbErrorContext): unknown {
  if (error instanceof DomainError) return error;
  if (typeof error !== 'object' || error === null) return error;
  const driverError = error as DriverError;
  const { entity } = context;
  switch (classify(driverError)) {
    case 'unique': {
      const column = uniqueColumn(driverError, context.table);
      const sentence = column === undefined ? undefined : context.uniqueMessages?.[column];
      if (sentence) return new ConflictError(sentence);
      const field = column === undefined ? 'value' : words(column, context);
      return new ConflictError(`${article(entity)} ${entity} with this ${field} already exists`);
    }
    case 'foreign_key_parent':
      return new ConflictError(context.referencedMessage ?? `this ${entity} is still referenced by other records`);
    case 'foreign_key_child': {
      const column = foreignKeyColumn(driverError);
      return new ConflictError(
        column === undefined ? 'a referenced record does not exist' : `the referenced ${words(column, context)} does not exist`,
      );
    }
    case 'foreign_key':
      return new ConflictError(
        context.operation === 'delete'
          ? (context.referencedMessage ?? `this ${entity} is still referenced by other records`)
          : 'a referenced record does not exist',
      );
    case 'check':
      return new ConflictError(
        /_max\b/.test(driverText(driverError))
          ? `the amount would exceed the maximum of ${Number.MAX_SAFE_INTEGER}`
          : /balance/.test(driverText(driverError))
            ? 'the balance cannot be negative'
            : `the ${entity} violates a database rule`,
      );
    case 'connection':
      return new ServiceUnavailableError('The database is unavailable, try again later');
    default:
      return error;
  }
}

/** Run a query and rethrow driver errors as domain errors. */
export async function withDbErrors<T>(context: DbErrorContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toDomainError(error, context);
  }
}
