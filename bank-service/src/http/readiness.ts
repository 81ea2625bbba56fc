import type { EventBus } from '@bank/platform/events';
import type { Logger } from '@bank/platform/logging';
import type { Knex } from '../db/database.ts';
import { pendingMigrations } from '../db/migrator.ts';
import type { Readiness } from '../handlers/handler-context.ts';

/**
 * bank-service's readiness: the database answers (`database`), every migration of this build has
 * been applied to it (`migrations` — a never-migrated database would answer register and login
 * with 500s), and the broker is connected (`broker`); a bank.created reply waiting
 * for log-service is named under `reasons['log-service']` while the service stays ready (200): a
 * log-service outage delays audit entries, it does not stop banking. `reasons` says why a check is down. Once the
 * migrations are found complete they are not read again.
 */
export function createReadinessCheck(db: Knex, bus: EventBus, logger: Logger, logServiceWait: () => string | undefined = () => undefined): () => Promise<Readiness> {
  let migrated = false;
  return async () => {
    const checks: Readiness['checks'] = {};
    const reasons: Record<string, string> = {};
    try {
      await db.raw('select 1');
      checks.database = 'up';
    } catch (err) {
      logger.warn({ err }, 'the database does not answer');
      checks.database = 'down';
      reasons.database = 'the database does not answer';
    }
    if (checks.database === 'up' && !migrated) {
      try {
        const pending = await pendingMigrations(db);
        migrated = pending.length === 0;
        if (!migrated) {
          reasons.migrations = `${pending.length} migration(s) pending (${pending.join(', ')}): run \`bank-service init\` or \`bank-service migrate latest\``;
        }
      } catch (err) {
        logger.warn({ err }, 'could not read the applied migrations');
        reasons.migrations = 'the applied migrations could not be read';
      }
    } else if (checks.database === 'down' && !migrated) {
      reasons.migrations = 'unknown while the database does not answer';
    }
    checks.migrations = migrated ? 'up' : 'down';
    checks.broker = bus.isReady() ? 'up' : 'down';
    // e.g. the callback queue exists with other arguments (406): named, with the differing argument
    const brokerProblems = bus.problems();
    if (brokerProblems.length > 0) reasons.broker = brokerProblems.join('; ');
    // a bank.created reply waiting for log-service (the callback consumer keeps it until it is back)
    const waiting = logServiceWait();
    // named, but not a reason to be taken out of rotation: banking goes on while log-service is down
    if (waiting !== undefined) reasons['log-service'] = `bank.created replies wait for log-service: ${waiting}`;
    return Object.keys(reasons).length > 0 ? { checks, reasons } : { checks };
  };
}
