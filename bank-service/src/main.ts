/**
 * bank-service process entry: the only file that reads the environment. Everything else is the
 * wiring's (src/wiring.ts). `npm run start -w bank-service` (compiled) or `bank-service serve`.
 */
import { fileURLToPath } from 'node:url';
import { loadEnvFile } from '@bank/platform/config';
import { runAsProcess } from '@bank/platform/process';
import { loadBankConfig, startBankService, type RunningBankService } from './wiring.ts';

/** Start bank-service from environment variables (and `.env`); resolves once it listens. */
export function startBankServiceFromEnv(env: Record<string, string | undefined> = process.env): Promise<RunningBankService> {
  loadEnvFile();
  return startBankService(loadBankConfig(env));
}

/** The process entry (also used by `bank-service serve`): start, then stop gracefully on SIGINT/SIGTERM. */
export function main(): Promise<void> {
  return runAsProcess(() => startBankServiceFromEnv(process.env));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
