/**
 * bank-service process entry: the only file that reads the environment. Everything else is the
 * wiring's (src/wiring.ts). `npm run start -w bank-service` (compiled) or `bank-service serve`.
 * With BANK_WORKERS > 1 (or `auto`) this process is the cluster's primary and forks the workers
 * (src/bank-cluster.ts); each worker runs this entry again.
 */
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { loadEnvFile } from '@bank/platform/config';
import { createLogger } from '@bank/platform/logging';
import { runAsProcess, type Running } from '@bank/platform/process';
import { onRelayWake, runPrimary, WORKER_INDEX_ENV, workerCount, workerRole } from './bank-cluster.ts';
import { loadBankConfig, startBankService, type RunningBankService } from './wiring.ts';

/** Start bank-service from environment variables (and `.env`); resolves once it listens. */
export function startBankServiceFromEnv(env: Record<string, string | undefined> = process.env): Promise<RunningBankService> {
  loadEnvFile();
  return startBankService(loadBankConfig(env));
}

/** Start as configured: one process, the primary of BANK_WORKERS workers, or one of those workers. */
async function startFromEnv(env: Record<string, string | undefined>): Promise<Running> {
  loadEnvFile();
  const config = loadBankConfig(env);
  const count = workerCount(config);
  if (count <= 1) return startBankService(config);
  if (cluster.isPrimary) return runPrimary(count, createLogger('bank-service', { level: config.LOG_LEVEL }));
  const index = Number(env[WORKER_INDEX_ENV] ?? '1');
  const role = workerRole(index);
  // each worker's lines name it (and its pid) so that an operator can tell them apart
  const logger = createLogger('bank-service', { level: config.LOG_LEVEL }).child({ worker: index, pid: process.pid });
  const running = await startBankService(config, { worker: role, overrides: { logger } });
  if (role.background) onRelayWake(() => running.service.wakeRelay());
  return running;
}

/** The process entry (also used by `bank-service serve`): start, then stop gracefully on SIGINT/SIGTERM. */
export function main(): Promise<void> {
  return runAsProcess(() => startFromEnv(process.env));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
