import express, { type Express } from 'express';
import helmet from 'helmet';
import cors from 'cors';
import { bankApiSpecPath, mountBankApi } from '@bank/bank-api';
import { mountDocs } from '@bank/platform-http/docs';
import { mountStaticPage } from '@bank/platform-http/static-page';
import { buildTopology, resolveEventNames } from '@bank/events';
import type { LogApiClient } from '@contract-bank/client/log-api';
import { ownedTopology, type EventBus } from '@bank/platform/events';
import { silentLogger, type Logger } from '@bank/platform/logging';
import { createJwtKey } from '@bank/platform/auth';
import { createServiceMetrics, instrumentBus, mountTelemetry, type MetricsAccess, type ServiceMetrics } from '@bank/platform/telemetry';
import type { Knex } from './db/database.ts';
import type { BankConfig } from './config.ts';
import { createTokenIssuer } from './auth/token-issuer.ts';
import { createBankEvents } from './events/bank-events.ts';
import { createBankOutboxRelay } from './events/bank-outbox-relay.ts';
import { startBankCallbackConsumer, type BankCallbackConsumer } from './events/bank-callback-consumer.ts';
import { createBankHandlers } from './handlers/bank-handlers.ts';
import { withAccessControl } from './http/access-control.ts';
import { createAuthenticator } from './http/authenticate.ts';
import { mapDomainError } from './http/domain-error-mapping.ts';
import { createOwnershipReader } from './http/ownership-reader.ts';
import { createLoginThrottle } from './auth/login-throttle.ts';
import { passwordHasher, type PasswordHasher } from './auth/passwords.ts';
import { loginClientAddress } from './http/login-client-address.ts';
import { createReadinessCheck } from './http/readiness.ts';
import { countRejectedLogins } from './telemetry/login-metrics.ts';
import { registerOutboxMetrics } from './telemetry/outbox-metrics.ts';

export interface BankServiceDeps {
  db: Knex;
  bus: EventBus;
  /** The generated log-service client (with a service token) used after a bank.created reply. */
  logApi: LogApiClient;
  logger?: Logger;
  now?: () => Date;
  /** The service's Prometheus metrics (default: a new set). */
  metrics?: ServiceMetrics;
  /** How passwords are hashed (default: argon2id at OWASP's parameters; the test harness uses cheaper ones). */
  passwords?: PasswordHasher;
}

export interface BankServiceOptions {
  /** Validate every response against the spec (on in tests). */
  validateResponses?: boolean;
  /**
   * Run the outbox relay and the callback consumer in this process (default true). Of several
   * worker processes only one does; the others tell it about their commits with `wakeRelay`.
   */
  background?: boolean;
  /** Called after a commit that wrote outbox rows when this process runs no relay. */
  wakeRelay?: () => void;
  /** Who may read `GET /metrics` (default: open; the wiring applies METRICS_TOKEN / METRICS_PUBLIC). */
  metricsAccess?: MetricsAccess;
}

export interface BankService {
  app: Express;
  metrics: ServiceMetrics;
  /** Declare the topology, start the outbox relay and the callback consumer. */
  start(): Promise<void>;
  /** Stop the background work: finish the batch / message in hand, then stop. */
  stop(): Promise<void>;
  /** Another process committed outbox rows: publish them now rather than at the next poll. */
  wakeRelay(): void;
  /** Publish what the outbox holds now (used after commits; tests call it to flush). */
  flushOutbox(): Promise<void>;
}

/** The bank-service factory: config + dependencies → the Express app and its background workers. */
export function createBankService(config: BankConfig, deps: BankServiceDeps, options: BankServiceOptions = {}): BankService {
  const logger = deps.logger ?? silentLogger;
  const now = deps.now ?? (() => new Date());
  const metrics = deps.metrics ?? createServiceMetrics('bank-service');
  const bus = instrumentBus(deps.bus, metrics);
  registerOutboxMetrics(metrics, deps.db, now);
  const names = { exchange: config.EXCHANGE_NAME, bankCallbackQueue: config.CALLBACK_QUEUE };
  const jwtKey = createJwtKey(config.JWT_SECRET_KEY);
  const jwt = { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE };

  const relay = createBankOutboxRelay({ db: deps.db, bus, names, logger, retentionDays: config.OUTBOX_RETENTION_DAYS });
  const background = options.background ?? true;
  const onCommitted = background ? () => relay.wake() : (options.wakeRelay ?? (() => undefined));
  const events = createBankEvents({ names, callbackQueue: config.CALLBACK_QUEUE, onCommitted, now });
  let callbackSubscription: BankCallbackConsumer | undefined;

  const readiness = createReadinessCheck(deps.db, bus, logger, () => callbackSubscription?.logServiceWait.current());

  const handlers = createBankHandlers({
    db: deps.db,
    tokens: createTokenIssuer(deps.db, jwtKey, { ...jwt, lifetimeSeconds: config.JWT_LIFETIME_SECONDS }),
    loginThrottle: createLoginThrottle(deps.db, { limit: config.LOGIN_RATE_LIMIT }),
    passwords: deps.passwords ?? passwordHasher,
    events,
    readiness,
    logger,
    now,
  });

  const app = express();
  app.disable('x-powered-by');
  mountTelemetry(app, { metrics, logger, ...(options.metricsAccess ? { access: options.metricsAccess } : {}) });
  app.set('trust proxy', config.TRUST_PROXY);
  app.use(helmet());
  if (config.CORS_ORIGINS.length > 0) app.use(cors({ origin: config.CORS_ORIGINS }));
  // the AsyncAPI document beside the Swagger UI (before it: /docs owns the parent path)
  mountStaticPage(app, '/docs/events', () => import('@bank/events/docs').then((docs) => docs.eventsDocsPage));
  mountDocs(app, { specPath: bankApiSpecPath, title: 'Bank service API' });
  app.use('/auth/login', loginClientAddress(), countRejectedLogins(metrics));
  mountBankApi(app, withAccessControl(handlers, createOwnershipReader(deps.db)), {
    authenticate: createAuthenticator(deps.db, jwtKey, jwt),
    validateResponses: options.validateResponses ?? false,
    mapError: mapDomainError,
    logger,
  });

  return {
    app,
    metrics,
    async start() {
      // bank-service owns its callback queue (with its DLQ) and the topic exchange it publishes to
      await bus.declare(ownedTopology(buildTopology(names), { queues: [config.CALLBACK_QUEUE], publishesTo: [resolveEventNames(names).exchange] }));
      if (!background) return;
      relay.start();
      callbackSubscription = await startBankCallbackConsumer({ bus, names, db: deps.db, logApi: deps.logApi, logger });
    },
    async stop() {
      await callbackSubscription?.cancel();
      await relay.stop();
    },
    wakeRelay: () => relay.wake(),
    flushOutbox: () => relay.flush(),
  };
}
