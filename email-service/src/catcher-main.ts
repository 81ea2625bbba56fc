/**
 * The embedded mail catcher as a process of its own (`npm run catcher -w email-service`):
 * SMTP on CATCHER_SMTP_PORT (1025), the inbox and JSON API on CATCHER_HTTP_PORT (8025).
 */
import { fileURLToPath } from 'node:url';
import { runAsProcess } from '@bank/platform/process';
import { loadEnvFile, parseConfig, portFromEnv, z } from '@bank/platform/config';
import { createLogger } from '@bank/platform/logging';
import { createMailCatcher, type MailCatcher } from './catcher/index.ts';

const catcherConfigSchema = z.object({
  CATCHER_SMTP_PORT: portFromEnv.default(1025),
  CATCHER_HTTP_PORT: portFromEnv.default(8025),
  CATCHER_HOST: z.string().min(1).default('127.0.0.1'),
  /** Mails kept in memory (the oldest dropped first). */
  CATCHER_MAX_MESSAGES: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export async function runCatcher(env: Record<string, string | undefined> = process.env): Promise<MailCatcher> {
  loadEnvFile();
  const config = parseConfig(catcherConfigSchema, env);
  const logger = createLogger('mail-catcher', { level: config.LOG_LEVEL });
  const catcher = createMailCatcher({
    smtpPort: config.CATCHER_SMTP_PORT,
    httpPort: config.CATCHER_HTTP_PORT,
    host: config.CATCHER_HOST,
    maxMessages: config.CATCHER_MAX_MESSAGES,
    logger,
  });
  const ports = await catcher.start();
  logger.info({ ...ports, inbox: `http://${config.CATCHER_HOST}:${ports.httpPort}/` }, 'mail catcher ready');
  return catcher;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await runAsProcess(runCatcher);
}
