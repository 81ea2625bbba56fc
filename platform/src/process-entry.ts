import { ConfigError } from './config.ts';
import { flushTracing } from './telemetry/tracing-shutdown.ts';

export interface Running {
  stop(): Promise<void>;
}

/**
 * The service cannot start for a reason outside the code: its port is taken, its database or store
 * does not answer or cannot be opened, a configured file cannot be read. The message is one line
 * an operator can act on (no secrets, no stack); the process exits 2, as on a bad configuration.
 */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/** The one line printed for a start-up failure the operator can fix. */
export function startupFailureLine(err: ConfigError | StartupError): string {
  return err instanceof ConfigError ? err.message : `cannot start: ${err.message}`;
}

/** How long a graceful stop may take before the process exits anyway (orchestrators kill at 30 s). */
const STOP_GRACE_MS = 25_000;

/**
 * The body of a service's `main.ts` when run as the process: start it, stop it gracefully on
 * SIGINT/SIGTERM (exit 0, or 1 if stopping failed or took longer than 25 s). A bad configuration or a start-up failure
 * (StartupError: port in use, database unreachable, …) prints its message alone, without a stack,
 * and exits 2; anything else is a bug and is rethrown with its stack.
 */
export async function runAsProcess(start: () => Promise<Running>): Promise<void> {
  let running: Running;
  try {
    running = await start();
  } catch (err) {
    if (err instanceof ConfigError || err instanceof StartupError) {
      console.error(startupFailureLine(err));
      process.exit(2);
    }
    throw err;
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      // a stop that hangs (a handler that never settles, a socket that never closes) must not keep
      // the process alive for ever: after the grace period it exits 1, saying so
      setTimeout(() => {
        console.error(`stopping took longer than ${STOP_GRACE_MS / 1000} s: exiting without finishing it`);
        process.exit(1);
      }, STOP_GRACE_MS).unref();
      running
        .stop()
        .then(flushTracing)
        .then(
        () => process.exit(0),
        (err: unknown) => {
          console.error(err);
          process.exit(1);
        },
      );
    });
  }
}
