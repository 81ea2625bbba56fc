/**
 * bank-service process entry: the only file that reads the environment and opens sockets.
 * `npm run start -w bank-service` (or `bank-service serve`).
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createLogApiClient } from '@bank/generated/log-api';
import { createJwtKey, signServiceToken } from '@bank/platform/auth';
import { loadEnvFile } from '@bank/platform/config';
import { closeServer, listen } from '@bank/platform/http';
import { runAsProcess } from '@bank/platform/process';
import { AmqpBus } from '@bank/platform/events';
import { createLogger } from '@bank/platform/logging';
import { createBankService } from './app.ts';
import { loadBankConfig } from './config.ts';
import { createDatabase } from './db/database.ts';
import { fetchTrustingCa } from './http/log-service-fetch.ts';

/** Start bank-service from environment variables; resolves once it listens. */
export async function startBankService(env: Record<string, string | undefined> = process.env): Promise<{ server: Server; stop(): Promise<void> }> {
  loadEnvFile();
  const config = loadBankConfig(env);
  const logger = createLogger('bank-service', { level: config.LOG_LEVEL });
  const db = createDatabase(config.DATABASE_URL);
  const bus = new AmqpBus({ url: config.AMQP_URI, logger });
  bus.start();

  const jwtKey = createJwtKey(config.JWT_SECRET_KEY);
  const serviceToken = () =>
    signServiceToken(jwtKey, 'bank-service', { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, expiresInSeconds: 300 });
  // bank → log calls over HTTPS verify the certificate against LOG_SERVICE_CA (never skip verification)
  const fetchWithCa = config.LOG_SERVICE_CA ? fetchTrustingCa(readFileSync(config.LOG_SERVICE_CA)) : undefined;
  const logApi = createLogApiClient({ baseUrl: config.LOG_SERVICE_URL, token: serviceToken, ...(fetchWithCa ? { fetch: fetchWithCa } : {}) });

  const service = createBankService(config, { db, bus, logApi, logger });
  await service.start();

  const server = await listen(service.app, { port: config.PORT, host: config.HOST, tlsCert: config.TLS_CERT, tlsKey: config.TLS_KEY });
  logger.info({ port: config.PORT, tls: Boolean(config.TLS_CERT) }, 'bank-service listening');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      await closeServer(server);
      await service.stop();
      await bus.close();
      await db.destroy();
    })());
  return { server, stop };
}

/** The process entry (also used by `bank-service serve`): start, then stop gracefully on SIGINT/SIGTERM. */
export function main(): Promise<void> {
  return runAsProcess(() => startBankService(process.env));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
