/**
 * bank-service's one wiring: validated config → dependencies (database, bus, log-service client,
 * logger) → the running service (HTTP or HTTPS listener, outbox relay, callback consumer).
 * `src/main.ts` calls it with the process environment's config; the embedded runner
 * (`scripts/dev.ts`) calls it with in-memory overrides. Nothing here reads the environment.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Knex } from 'knex';
import { createLogApiClient, type LogApiClient } from '@contract-bank/client/log-api';
import { createJwtKey, signServiceToken } from '@bank/platform/auth';
import { AmqpBus, type EventBus } from '@bank/platform/events';
import { closeServer, listen } from '@bank/platform/http';
import { createLogger, type Logger } from '@bank/platform/logging';
import { metricsAccess } from '@bank/platform/telemetry';
import { createBankService, type BankService } from './app.ts';
import { runInit, type InitResult } from './cli/init-command.ts';
import type { BankConfig } from './config.ts';
import { openDatabaseForStartup } from './db/database.ts';
import { fetchTrustingCa } from './http/log-service-fetch.ts';

export { loadBankConfig, type BankConfig } from './config.ts';
export { loadCliConfig } from './cli/cli-config.ts';

/** Dependencies to use instead of the ones the config describes. The caller closes what it passes. */
export interface BankOverrides {
  /** An open database (otherwise one is opened from DATABASE_URL and closed on stop). */
  db?: Knex;
  /** An event bus, e.g. an InMemoryBus (otherwise an AmqpBus on AMQP_URI, closed on stop). */
  bus?: EventBus;
  logger?: Logger;
  /** The log-service client (otherwise one for LOG_SERVICE_URL, trusting LOG_SERVICE_CA, with a service token). */
  logApi?: LogApiClient;
}

export interface BankWiringOptions {
  overrides?: BankOverrides;
  /**
   * Run `init` first (migrate, seed the roles, create this admin): the embedded mode does, a
   * production start does not (compose runs `bank-service init` once, as its own container).
   */
  init?: { admin: { email: string; password: string } | null };
  /** This process as one of several workers (bank-cluster.ts): only one runs the relay and consumer. */
  worker?: { background: boolean; wakeRelay?: () => void };
}

export interface RunningBankService {
  server: Server;
  service: BankService;
  logger: Logger;
  /** What init did, when it ran. */
  init: InitResult | undefined;
  /** Graceful shutdown: stop taking HTTP, stop the relay and consumer, close what the wiring opened. */
  stop(): Promise<void>;
}

/** The log-service client bank-service writes bank events with: a service token, LOG_SERVICE_CA trusted over HTTPS. */
export function createBankLogApiClient(config: BankConfig): LogApiClient {
  const jwtKey = createJwtKey(config.JWT_SECRET_KEY);
  const serviceToken = () =>
    signServiceToken(jwtKey, 'bank-service', { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, expiresInSeconds: 300 });
  // bank → log calls over HTTPS verify the certificate against LOG_SERVICE_CA (never skip verification)
  const fetchWithCa = config.LOG_SERVICE_CA ? fetchTrustingCa(readFileSync(config.LOG_SERVICE_CA)) : undefined;
  return createLogApiClient({ baseUrl: config.LOG_SERVICE_URL, token: serviceToken, ...(fetchWithCa ? { fetch: fetchWithCa } : {}) });
}

/** Start bank-service from its config; resolves once it listens. */
export async function startBankService(config: BankConfig, options: BankWiringOptions = {}): Promise<RunningBankService> {
  const overrides = options.overrides ?? {};
  const logger = overrides.logger ?? createLogger('bank-service', { level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const db = overrides.db ?? (await openDatabaseForStartup(config.DATABASE_URL, { logger }));
  let bus: EventBus | undefined;
  let service: BankService | undefined;
  try {
    const init = options.init ? await runInit(db, { admin: options.init.admin }) : undefined;
    if (init?.adminCreated) logger.info('created the admin user from ADMIN_EMAIL / ADMIN_PASS');

    bus = overrides.bus ?? startAmqpBus(config, logger);
    service = createBankService(config, { db, bus, logApi: overrides.logApi ?? createBankLogApiClient(config), logger }, { ...options.worker, metricsAccess: metricsAccess(config) });
    await service.start();
    const started = service;
    const server = await listen(service.app, { port: config.PORT, host: config.HOST, tlsCert: config.TLS_CERT, tlsKey: config.TLS_KEY });
    logger.info({ port: config.PORT, tls: Boolean(config.TLS_CERT) }, 'bank-service listening');

    const ownBus = overrides.bus ? undefined : bus;
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        logger.info('shutting down');
        await closeServer(server);
        await started.stop();
        await ownBus?.close();
        if (!overrides.db) await db.destroy();
      })());
    return { server, service: started, logger, init, stop };
  } catch (err) {
    await service?.stop();
    if (!overrides.bus) await bus?.close();
    if (!overrides.db) await db.destroy();
    throw err;
  }
}

function startAmqpBus(config: BankConfig, logger: Logger): AmqpBus {
  const bus = new AmqpBus({ url: config.AMQP_URI, logger, queues: { type: config.QUEUE_TYPE, maxDeliveries: config.MAX_DELIVERIES }, connectionName: 'bank-service' });
  bus.start();
  return bus;
}
