import type { Subscription } from './event-bus.ts';

export interface ConsumerLifecycle {
  /** Attach once (concurrent calls share the attempt; a failed attempt can be retried). */
  start(): Promise<void>;
  /** Wait for a start in progress, then cancel the subscription (finishing the message in hand). */
  stop(): Promise<void>;
  /** True while the consumer is attached. */
  attached(): boolean;
}

/**
 * The start/stop bookkeeping of a service whose work is one consumer: `attach` declares what it
 * needs and returns the subscription. Used by log-service and email-service.
 */
export function consumerLifecycle(attach: () => Promise<Subscription>, onStopped?: () => void): ConsumerLifecycle {
  let subscription: Subscription | undefined;
  let starting: Promise<void> | undefined;
  return {
    start() {
      starting ??= attach().then(
        (attached) => {
          subscription = attached;
        },
        (err: unknown) => {
          starting = undefined;
          throw err;
        },
      );
      return starting;
    },
    async stop() {
      await starting?.catch(() => undefined);
      starting = undefined;
      const current = subscription;
      subscription = undefined;
      if (current) {
        await current.cancel();
        onStopped?.();
      }
    },
    attached: () => subscription !== undefined,
  };
}
