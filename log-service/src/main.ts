/**
 * log-service process entry: the only file that reads the environment and opens sockets.
 * `npm run start -w log-service`.
 */
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { loadEnvFile } from '@bank/platform/config';
import { closeServer, listen } from '@bank/platform/http';
import { runAsProcess } from '@bank/platform/process';
import { AmqpBus } from '@bank/platform/events';
import { createLogger } from '@bank/platform/logging';
import { createLogService } from './app.ts';
import { describeLogStore, loadLogConfig, logStoreSettings } from './config.ts';
import { createLogStore } from './store/index.ts';

export interface RunningLogService {
  server: Server;
  /** Graceful shutdown: stop taking HTTP, finish and stop the consumer, close the bus, close the store. */
  stop(): Promise<void>;
}

export async function main(env: Record<string, string | undefined> = process.env): Promise<RunningLogService> {
  loadEnvFile();
  const config = loadLogConfig(env);
  const logger = createLogger('log-service', { level: config.LOG_LEVEL });
  logger.info(describeLogStore(config), 'log store chosen');
  if (config.LOG_STORE_IGNORED.length > 0) {
    logger.warn({ ignored: config.LOG_STORE_IGNORED }, `LOG_STORE_URL is set, so ${config.LOG_STORE_IGNORED.join(' and ')} ${config.LOG_STORE_IGNORED.length > 1 ? 'are' : 'is'} ignored`);
  }
  const store = createLogStore(config.LOG_STORE_URL, logStoreSettings(config, logger));
  const bus = new AmqpBus({ url: config.AMQP_URI, logger, prefetch: config.PREFETCH, connectionName: 'log-service' });
  bus.start();

  const service = createLogService(config, { store, bus, logger });
  await service.start();

  const server = await listen(service.app, { port: config.PORT, host: config.HOST, tlsCert: config.TLS_CERT, tlsKey: config.TLS_KEY });
  logger.info({ host: config.HOST, port: config.PORT, tls: Boolean(config.TLS_CERT), store: config.LOG_STORE_URL.split(':')[0] }, 'log-service listening');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      await closeServer(server);
      await service.stop();
      await bus.close();
      await store.close();
      logger.info('stopped');
    })());
  return { server, stop };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await runAsProcess(() => main());
}
