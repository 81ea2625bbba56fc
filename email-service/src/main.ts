/**
 * email-service process entry: the only file that reads the environment. Everything else is the
 * wiring's (src/wiring.ts). `npm run start -w email-service` (compiled).
 */
import { fileURLToPath } from 'node:url';
import { loadEnvFile } from '@bank/platform/config';
import { runAsProcess } from '@bank/platform/process';
import { loadEmailConfig, startEmailService, type RunningEmailService } from './wiring.ts';

/** Start email-service from environment variables (and `.env`); resolves once it listens. */
export function main(env: Record<string, string | undefined> = process.env): Promise<RunningEmailService> {
  loadEnvFile();
  return startEmailService(loadEmailConfig(env));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await runAsProcess(() => main());
}
