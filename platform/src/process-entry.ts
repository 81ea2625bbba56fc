import { ConfigError } from './config.ts';

export interface Running {
  stop(): Promise<void>;
}

/**
 * The body of a service's `main.ts` when run as the process: start it, stop it gracefully on
 * SIGINT/SIGTERM (exit 0, or 1 if stopping failed), and exit 2 with the list of problems on a bad
 * configuration.
 */
export async function runAsProcess(start: () => Promise<Running>): Promise<void> {
  let running: Running;
  try {
    running = await start();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      running.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          console.error(err);
          process.exit(1);
        },
      );
    });
  }
}
