/**
 * The tracing entry point, loaded before the service: `node --import @bank/platform/telemetry/register
 * dist/src/main.js` (production) or `tsx --import … scripts/dev.ts` (embedded). The services are ES
 * modules: the import-in-the-middle hook must be registered before express, knex, mysql2, amqplib,
 * mongodb and pino are imported, so that the instrumentations can patch them. With
 * OTEL_TRACES_EXPORTER=none (or OTEL_SDK_DISABLED=true) it does nothing at all.
 */
import { register } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { startTracing, tracingEnabled } from './tracing.ts';
import { onTracingShutdown } from './tracing-shutdown.ts';

if (tracingEnabled(process.env)) {
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  const sdk = startTracing(process.env);
  // runAsProcess flushes the spans still buffered before the process exits
  onTracingShutdown(() => sdk.shutdown());
  await waitForAllMessagesAcknowledged();
}
