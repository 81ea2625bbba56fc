import { createHash } from 'node:crypto';
import { RateLimiterMySQL, RateLimiterRes, RateLimiterSQLite, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { engineOf, type Knex } from '../db/database.ts';

/**
 * Brute-force protection of login, per (client address, e-mail): only FAILED attempts count, and
 * nothing is counted while a login is in flight (express-rate-limit's `skipSuccessfulRequests`
 * counted every request on arrival and took successes back after: 50 concurrent correct logins
 * locked the account). The counts live in the bank's database (table `login_failures`, through
 * rate-limiter-flexible), so several bank replicas share one allowance per key: a per-process count
 * would multiply it by the number of replicas (PRODUCT.md: no state in memory that matters).
 *
 * The login handler asks, in this order:
 *  1. `lockedFor(key)` before verifying the password: seconds to wait when the key has used up its
 *     failures (the password is not even checked), else null;
 *  2. after a wrong password: `failed(key)` counts it; non-null when this failure went past the
 *     limit (concurrent wrong guesses that all passed step 1 are answered 429 too);
 *  3. after a right password: `succeeded(key)` checks again — failures recorded by concurrent
 *     attempts while this one was verifying may have locked the key (a burst of guesses learns
 *     nothing from the one that was right) — and otherwise clears the count: a correct login
 *     below the limit starts the count afresh.
 */
export interface LoginThrottle {
  readonly limit: number;
  lockedFor(key: string): Promise<number | null>;
  failed(key: string): Promise<number | null>;
  succeeded(key: string): Promise<number | null>;
}

export interface LoginThrottleOptions {
  /** Failed attempts allowed per key within the window (LOGIN_RATE_LIMIT). */
  limit: number;
  /** Default 15 minutes. */
  windowSeconds?: number;
}

export const LOGIN_FAILURES_TABLE = 'login_failures';

/** The stored key: a digest of the client address and the normalised e-mail (no address or e-mail at rest). */
export function loginThrottleKey(clientAddress: string, email: string): string {
  return createHash('sha256').update(`${clientAddress}\n${email.trim().toLowerCase()}`).digest('base64url');
}

const secondsOf = (res: RateLimiterRes): number => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/** rate-limiter-flexible over the bank's knex handle (MariaDB/MySQL or SQLite), on the migrated table. */
function storeLimiter(db: Knex, points: number, duration: number): RateLimiterAbstract {
  const common = {
    storeClient: db,
    storeType: 'knex',
    tableName: LOGIN_FAILURES_TABLE,
    tableCreated: true, // created by the migration 20261201000050_user_access
    keyPrefix: 'login',
    points,
    duration,
    // Expired rows are removed by `failed()` (below), not by a timer outliving the database handle.
    clearExpiredByTimeout: false,
  };
  if (engineOf(db) === 'mysql') {
    const database = (db.client as { config: { connection?: { database?: string } } }).config.connection?.database;
    return new RateLimiterMySQL({ ...common, dbName: database });
  }
  return new RateLimiterSQLite(common);
}

export function createLoginThrottle(db: Knex, options: LoginThrottleOptions): LoginThrottle {
  const limit = options.limit;
  const limiter = storeLimiter(db, limit, options.windowSeconds ?? 15 * 60);
  const clearExpired = (limiter as unknown as { clearExpired(before: number): Promise<void> }).clearExpired.bind(limiter);

  async function lockedFor(key: string): Promise<number | null> {
    const res = await limiter.get(key);
    return res !== null && res.consumedPoints >= limit ? secondsOf(res) : null;
  }

  return {
    limit,
    lockedFor,
    async failed(key) {
      try {
        await limiter.consume(key);
        return null;
      } catch (outcome) {
        if (outcome instanceof RateLimiterRes) return secondsOf(outcome); // past the limit
        throw outcome; // the store failed
      } finally {
        // Rows only appear through failures: removing the expired ones here bounds the table.
        await clearExpired(Date.now()).catch(() => undefined);
      }
    },
    async succeeded(key) {
      const res = await limiter.get(key);
      if (res === null) return null;
      if (res.consumedPoints >= limit) return secondsOf(res);
      await limiter.delete(key);
      return null;
    },
  };
}
