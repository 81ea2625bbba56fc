/**
 * log-service's one wiring: validated config → dependencies (log store, bus, logger) → the running
 * service (HTTP or HTTPS listener, queue consumer). `src/main.ts` calls it with the process
 * environment's config; the embedded runner (`scripts/dev.ts`) with an in-memory bus. Nothing here
 * reads the environment.
 */
import type { Server } from 'node:http';
import { AmqpBus, type EventBus } from '@bank/platform/events';
import { closeServer, listen } from '@bank/platform/http';
import { createLogger, type Logger } from '@bank/platform/logging';
import { metricsAccess } from '@bank/platform/telemetry';
import { StartupError } from '@bank/platform/process';
import { createLogService, type LogService } from './app.ts';
import { describeLogStore, logStoreSettings, type LogConfig } from './config.ts';
import { createUserAccessStore } from './access/create-user-access-store.ts';
import type { UserAccessStore } from '@bank/platform/auth';
import { createLogStore } from './store/create-log-store.ts';
import type { LogStore } from './store/log-store.ts';

export { loadLogConfig, type LogConfig } from './config.ts';

/** Dependencies to use instead of the ones the config describes. The caller closes what it passes. */
export interface LogOverrides {
  /** A log store (otherwise one for LOG_STORE_URL, closed on stop). */
  store?: LogStore;
  /** The record of revoked tokens (otherwise one beside the log store at LOG_STORE_URL, closed on stop). */
  accessStore?: UserAccessStore;
  /** An event bus, e.g. an InMemoryBus (otherwise an AmqpBus on AMQP_URI, closed on stop). */
  bus?: EventBus;
  logger?: Logger;
}

export interface RunningLogService {
  server: Server;
  service: LogService;
  logger: Logger;
  /** Graceful shutdown: stop taking HTTP, finish and stop the consumer, close what the wiring opened. */
  stop(): Promise<void>;
}

/** Start log-service from its config; resolves once it listens. */
export async function startLogService(config: LogConfig, overrides: LogOverrides = {}): Promise<RunningLogService> {
  const logger = overrides.logger ?? createLogger('log-service', { level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const store = overrides.store ?? (await openLogStore(config, logger));
  const accessStore = overrides.accessStore ?? (await createUserAccessStore(config.LOG_STORE_URL, { timeoutMs: config.MONGODB_TIMEOUT_MS, socketTimeoutMs: config.MONGODB_SOCKET_TIMEOUT_MS }));
  const bus = overrides.bus ?? startAmqpBus(config, logger);
  const service = createLogService(config, { store, accessStore, bus, logger }, { metricsAccess: metricsAccess(config) });
  const closeOwn = async () => {
    if (!overrides.bus) await bus.close();
    if (!overrides.store) await store.close();
    if (!overrides.accessStore) await accessStore.close();
  };
  let server: Server;
  try {
    await service.start();
    server = await listen(service.app, { port: config.PORT, host: config.HOST, tlsCert: config.TLS_CERT, tlsKey: config.TLS_KEY });
  } catch (err) {
    await service.stop();
    await closeOwn();
    throw err;
  }
  logger.info(
    { host: config.HOST, port: config.PORT, tls: Boolean(config.TLS_CERT), store: config.LOG_STORE_URL.split(':')[0] },
    'log-service listening',
  );

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      await closeServer(server);
      await service.stop();
      await closeOwn();
      logger.info('stopped');
    })());
  return { server, service, logger, stop };
}

/**
 * The store the config names, with the choice logged: which setting chose it, and which settings
 * lost. One that cannot be opened (an unwritable SQLite path, …) is a StartupError.
 */
async function openLogStore(config: LogConfig, logger: Logger): Promise<LogStore> {
  logger.info(describeLogStore(config), 'log store chosen');
  if (config.LOG_STORE_IGNORED.length > 0) {
    const ignored = config.LOG_STORE_IGNORED.join(' and ');
    logger.warn({ ignored: config.LOG_STORE_IGNORED }, `LOG_STORE_URL is set, so ${ignored} ${config.LOG_STORE_IGNORED.length > 1 ? 'are' : 'is'} ignored`);
  }
  try {
    return await createLogStore(config.LOG_STORE_URL, logStoreSettings(config, logger));
  } catch (err) {
    const { code, message } = err as { code?: unknown; message?: unknown };
    const cause = typeof code === 'string' ? code : typeof message === 'string' ? message : String(err);
    throw new StartupError(`the log store ${config.LOG_STORE_URL.replace(/\/\/[^@/]*@/, '//***@')} cannot be opened (${cause})`, { cause: err });
  }
}

function startAmqpBus(config: LogConfig, logger: Logger): AmqpBus {
  const bus = new AmqpBus({ url: config.AMQP_URI, logger, queues: { type: config.QUEUE_TYPE, maxDeliveries: config.MAX_DELIVERIES }, prefetch: config.PREFETCH, connectionName: 'log-service' });
  bus.start();
  return bus;
}
