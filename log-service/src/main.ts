/**
 * log-service process entry: the only file that reads the environment and opens sockets.
 * `npm run start -w log-service`.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadEnvFile } from '@bank/platform/config';
import { AmqpBus } from '@bank/platform/events';
import { createLogger } from '@bank/platform/logging';
import { createLogService } from './app.ts';
import { loadLogConfig } from './config.ts';
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
  const store = createLogStore(config.LOG_STORE_URL);
  const bus = new AmqpBus({ url: config.AMQP_URI, logger, prefetch: config.PREFETCH, connectionName: 'log-service' });
  bus.start();

  const service = createLogService(config, { store, bus, logger });
  await service.start();

  const server =
    config.TLS_CERT && config.TLS_KEY
      ? createHttpsServer({ cert: readFileSync(config.TLS_CERT), key: readFileSync(config.TLS_KEY) }, service.app)
      : createHttpServer(service.app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  logger.info({ host: config.HOST, port: config.PORT, tls: Boolean(config.TLS_CERT), store: config.LOG_STORE_URL.split(':')[0] }, 'log-service listening');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.stop();
      await bus.close();
      await store.close();
      logger.info('stopped');
    })());
  return { server, stop };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const { stop } = await main();
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        stop().then(
          () => process.exit(0),
          (err: unknown) => {
            console.error(err);
            process.exit(1);
          },
        );
      });
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}
