import type { Logger } from '@bank/platform/logging';
import type { Knex } from '../db/database.ts';
import type { BankEvents } from '../events/bank-events.ts';
import type { LoginThrottle } from '../auth/login-throttle.ts';
import type { PasswordHasher } from '../auth/passwords.ts';
import type { TokenIssuer } from '../auth/token-issuer.ts';

export interface Readiness {
  /** Named checks (`database`, `migrations`, `broker`). */
  checks: Record<string, 'up' | 'down'>;
  /** Why a check is down, where there is more to say than its name. */
  reasons?: Record<string, string>;
}

export type ReadinessCheck = () => Promise<Readiness>;

/** What every handler group gets from the app factory. */
export interface HandlerContext {
  db: Knex;
  /** Signs access tokens whose claims are read from the database. */
  tokens: TokenIssuer;
  /** Counts failed logins per client address and e-mail (in the database). */
  loginThrottle: LoginThrottle;
  /** Hashes and checks passwords (argon2id at OWASP's parameters). */
  passwords: PasswordHasher;
  /** Writes domain events to the outbox inside the caller's transaction. */
  events: BankEvents;
  /** Database reachable and fully migrated, broker connected. */
  readiness: ReadinessCheck;
  logger: Logger;
  now: () => Date;
}
