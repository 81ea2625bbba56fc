/**
 * log-service process entry: the only file that reads the environment. Everything else is the
 * wiring's (src/wiring.ts). `npm run start -w log-service` (compiled).
 */
import { fileURLToPath } from 'node:url';
import { loadEnvFile } from '@bank/platform/config';
import { runAsProcess } from '@bank/platform/process';
import { loadLogConfig, startLogService, type RunningLogService } from './wiring.ts';

export type { RunningLogService };

/** Start log-service from environment variables (and `.env`); resolves once it listens. */
export function main(env: Record<string, string | undefined> = process.env): Promise<RunningLogService> {
  loadEnvFile();
  return startLogService(loadLogConfig(env));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await runAsProcess(() => main());
}
