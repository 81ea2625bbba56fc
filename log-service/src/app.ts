import express, { type Express } from 'express';
import helmet from 'helmet';
import { buildTopology, deadLetterQueueName, type EventNames } from '@bank/events';
import { logApiSpecPath, mountLogApi } from '@bank/log-api';
import { createJwtKey } from '@bank/platform/auth';
import { consumerLifecycle, ownedTopology, type EventBus } from '@bank/platform/events';
import { mountDocs } from '@bank/platform-http/docs';
import { createServiceMetrics, instrumentBus, mountTelemetry, type MetricsAccess, type ServiceMetrics } from '@bank/platform/telemetry';
import { silentLogger, type Logger } from '@bank/platform/logging';
import type { LogConfig } from './config.ts';
import { startAccountEventsConsumer, type ConsumerRetryOptions } from './consumer/account-events-consumer.ts';
import { createLogHandlers, type Readiness } from './handlers/log-handlers.ts';
import { createAuthenticator } from './http/authenticate.ts';
import { mapLogError } from './http/error-mapping.ts';
import { LogStoreUnavailableError, type LogStore, type StoreReadiness } from './store/log-store.ts';
import type { UserAccessStore } from '@bank/platform/auth';

export type LogServiceConfig = Pick<LogConfig, 'EXCHANGE_NAME' | 'QUEUE_NAME' | 'PREFETCH' | 'JWT_SECRET_KEY' | 'JWT_ISSUER' | 'JWT_AUDIENCE'>;

export interface LogServiceDeps {
  store: LogStore;
  /** The record of revoked user tokens (fed by `user.access.changed`, read on every request). */
  accessStore: UserAccessStore;
  bus: EventBus;
  logger?: Logger;
  /** The service's Prometheus metrics (default: a new set). */
  metrics?: ServiceMetrics;
}

export interface LogServiceOptions {
  /** Validate every response against the spec (on in tests). */
  validateResponses?: boolean;
  /** Retries of a failing store write in the consumer (tests shorten the backoff). */
  consumerRetry?: ConsumerRetryOptions;
  /** Longest a readiness probe waits for the store (default 2000 ms). */
  storePingTimeoutMs?: number;
  /** Who may read `GET /metrics` (default: open; the wiring applies METRICS_TOKEN / METRICS_PUBLIC). */
  metricsAccess?: MetricsAccess;
}

export interface LogService {
  app: Express;
  metrics: ServiceMetrics;
  /** Declare the event topology and attach the queue consumer. */
  start(): Promise<void>;
  /** Cancel the consumer (the message in hand is finished and acked). Closes neither the bus nor the store. */
  stop(): Promise<void>;
}

class CheckTimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new CheckTimeoutError(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The log-service factory: config + store + bus → the Express app and its queue consumer. */
export function createLogService(config: LogServiceConfig, deps: LogServiceDeps, options: LogServiceOptions = {}): LogService {
  const logger = deps.logger ?? silentLogger;
  const { store, accessStore } = deps;
  const metrics = deps.metrics ?? createServiceMetrics('log-service');
  const bus = instrumentBus(deps.bus, metrics);
  const names: Partial<EventNames> = { exchange: config.EXCHANGE_NAME, logServiceQueue: config.QUEUE_NAME };
  const jwtKey = createJwtKey(config.JWT_SECRET_KEY);
  const storePingTimeoutMs = options.storePingTimeoutMs ?? 2_000;
  const deadLetterAdmin = deps.bus.deadLetters?.();
  if (!deadLetterAdmin) throw new Error('log-service needs a bus with a dead-letter admin (AmqpBus or InMemoryBus)');
  const consumer = consumerLifecycle(
    async () => {
      // only what log-service owns: its queue, its DLQ and their bindings (replies go through the default exchange)
      await bus.declare(ownedTopology(buildTopology(names), { queues: [config.QUEUE_NAME], publishesTo: [] }));
      const subscription = await startAccountEventsConsumer({
        bus,
        store,
        accessStore,
        names,
        prefetch: config.PREFETCH,
        logger,
        ...(options.consumerRetry ? { retry: options.consumerRetry } : {}),
      });
      logger.info({ queue: config.QUEUE_NAME, prefetch: config.PREFETCH }, 'log consumer attached');
      return subscription;
    },
    () => logger.info({ queue: config.QUEUE_NAME }, 'log consumer stopped'),
  );

  const readiness = async (): Promise<Readiness> => {
    // the log store and the revocation record (user_access) live in the same database
    const storeState = await withTimeout(
      Promise.all([store.check(), accessStore.ping()]).then(([result]) => result),
      storePingTimeoutMs,
    ).then(
      (result): StoreReadiness => {
        if (!result.ready) logger.warn({ reason: result.reason }, 'log store is not ready');
        return result;
      },
      (err: unknown): StoreReadiness => {
        logger.warn({ err }, 'log store is not reachable');
        // public: no addresses or driver messages (they are in the log line above)
        if (err instanceof LogStoreUnavailableError) return { ready: false, reason: 'the log store is unreachable' };
        if (err instanceof CheckTimeoutError) return { ready: false, reason: `the log store did not answer within ${storePingTimeoutMs} ms` };
        return { ready: false, reason: 'the log store check failed (see the log)' };
      },
    );
    return {
      checks: {
        store: storeState.ready ? 'up' : 'down',
        broker: bus.state() === 'connected' ? 'up' : 'down',
        // isReady(): connected and every consumer of the bus attached to a live channel
        consumer: consumer.attached() && bus.isReady() ? 'up' : 'down',
      },
      ...(reasons(storeState, bus.problems())),
    };
  };

  /** Why store or broker are down: the store's reason, a declaration the broker refused (406). */
  function reasons(storeState: StoreReadiness, brokerProblems: string[]): { reasons?: Record<string, string> } {
    const found: Record<string, string> = {};
    if (!storeState.ready) found.store = storeState.reason;
    if (brokerProblems.length > 0) found.broker = brokerProblems.join('; ');
    return Object.keys(found).length > 0 ? { reasons: found } : {};
  }

  const app = express();
  app.disable('x-powered-by');
  mountTelemetry(app, { metrics, logger, ...(options.metricsAccess ? { access: options.metricsAccess } : {}) });
  app.use(helmet());
  mountDocs(app, { specPath: logApiSpecPath, title: 'Log service API' });
  mountLogApi(app, createLogHandlers({
      store,
      readiness,
      deadLetters: { admin: deadLetterAdmin, ref: { queue: config.QUEUE_NAME, deadLetterQueue: deadLetterQueueName(config.QUEUE_NAME) } },
    }), {
    authenticate: createAuthenticator(jwtKey, { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE }, accessStore),
    validateResponses: options.validateResponses ?? false,
    mapError: mapLogError,
    logger,
  });

  return {
    app,
    metrics,
    start: () => consumer.start(),
    stop: () => consumer.stop(),
  };
}
