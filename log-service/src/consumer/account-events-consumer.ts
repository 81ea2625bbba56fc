import {
  createEventChannels,
  PermanentMessageError,
  type AccountCreated,
  type EventNames,
  type MessageMeta,
  type Subscription,
} from '@bank/events';
import type { UserAccessStore } from '@bank/platform/auth';
import { recordAccessChange, type ConsumeFailure, type EventBus } from '@bank/platform/events';
import { silentLogger, type Logger } from '@bank/platform/logging';
import { backoffDelay, sleep } from '@bank/platform/retry';
import { InvalidLogDocumentError, LogStoreUnavailableError, type LogStore } from '../store/log-store.ts';
import { StoreAvailability, type Backoff } from './store-availability.ts';

/**
 * In-process retries of a store write that fails while the store answers, before the message is
 * dead-lettered. Failures while the store is down do not count (see `storeWhenAvailable`); the
 * backoff paces both.
 */
export interface ConsumerRetryOptions {
  /** Attempts per message (default 5). */
  maxAttempts?: number;
  /** Backoff base in ms (default 200). */
  baseMs?: number;
  /** Backoff cap in ms (default 5000). */
  maxMs?: number;
}

export interface AccountEventsConsumerDeps {
  bus: EventBus;
  store: LogStore;
  /** Where `user.access.changed` events go (the record of revoked tokens). */
  accessStore: UserAccessStore;
  /** Exchange / queue names (defaults: the spec's). */
  names: Partial<EventNames>;
  /** Unacked messages in flight (basic.qos). */
  prefetch: number;
  retry?: ConsumerRetryOptions;
  logger?: Logger;
}

/**
 * Store one event as a log document, idempotently by the AMQP `message_id`: a redelivery finds the
 * stored entry and writes nothing. Resolving acks the message (after the write); a document the
 * store can never accept, or a message without a `message_id`, is dead-lettered at once; any other
 * error is thrown (see storeWhenAvailable for what happens then).
 */
export async function storeEvent(store: LogStore, payload: AccountCreated, meta: MessageMeta, logger: Logger = silentLogger): Promise<void> {
  if (!meta.messageId) {
    throw new PermanentMessageError('message has no message_id property: it cannot be stored idempotently');
  }
  try {
    const { log, created } = await store.insert({
      ...payload,
      data: { ...payload.data },
      routing_key: meta.routingKey,
      message_id: meta.messageId,
    });
    if (created) logger.debug({ id: log.id, messageId: meta.messageId, routingKey: meta.routingKey }, 'event stored');
    else logger.info({ id: log.id, messageId: meta.messageId, redelivered: meta.redelivered }, 'duplicate event ignored');
  } catch (err) {
    if (err instanceof InvalidLogDocumentError) throw new PermanentMessageError(`cannot store event: ${err.message}`, { cause: err });
    throw err;
  }
}

interface OutageContext {
  availability: StoreAvailability;
  backoff: Backoff;
  /** Aborted when the consumer stops: a waiting message is then requeued, not dead-lettered. */
  stopping: AbortSignal;
  logger: Logger;
}

/**
 * An outage is not poison: `storeEvent`, but while the store is down — the write failed with
 * LogStoreUnavailableError, or failed otherwise and the store does not answer a ping — the message
 * waits in hand (unacked) for the store to answer, and then the write is tried again, however long
 * that takes. Only failures while the store answers reach the platform's retry budget and, past it,
 * the dead-letter queue. When the consumer stops during the wait the last error is thrown with the
 * subscription cancelled, so the platform requeues the message.
 */
export async function storeWhenAvailable(
  store: LogStore,
  payload: AccountCreated,
  meta: MessageMeta,
  outage: OutageContext,
): Promise<void> {
  for (let waits = 0; ; waits++) {
    try {
      await storeEvent(store, payload, meta, outage.logger);
      if (waits > 0) outage.logger.info({ messageId: meta.messageId, waits }, 'log store is back: event stored');
      return;
    } catch (err) {
      if (err instanceof PermanentMessageError) throw err;
      const down = err instanceof LogStoreUnavailableError || !(await outage.availability.answers());
      if (!down) throw err; // the store answers: this failure counts toward dead-lettering
      if (waits === 0) {
        outage.logger.warn({ messageId: meta.messageId, err }, 'log store is down: the event waits for it (not counted toward dead-lettering)');
      }
      await sleep(backoffDelay(waits, outage.backoff), outage.stopping);
      if (outage.stopping.aborted || !(await outage.availability.waitUntilAnswering(outage.stopping))) throw err;
    }
  }
}

/**
 * Attach the log-service queue consumer (`account.created` → a log entry, `user.access.changed` →
 * the record of revoked tokens) through the generated, validating `consumeLogServiceQueue`
 * (invalid JSON / payloads are dead-lettered with the reason by the platform). Resolves with the
 * subscription; `cancel()` stops taking messages and finishes the ones in hand (a message waiting
 * for the store goes back to the queue).
 */
export async function startAccountEventsConsumer(deps: AccountEventsConsumerDeps): Promise<Subscription> {
  const logger = deps.logger ?? silentLogger;
  const channels = createEventChannels(deps.bus, deps.names);
  const backoff = { baseMs: deps.retry?.baseMs ?? 200, maxMs: deps.retry?.maxMs ?? 5_000 };
  const stopping = new AbortController();
  const outage: OutageContext = { availability: new StoreAvailability(deps.store, backoff), backoff, stopping: stopping.signal, logger };
  const onError = (failure: ConsumeFailure): void => {
    const { error: _error, ...fields } = failure;
    if (failure.kind === 'transient') logger.warn(fields, 'storing an event failed; retrying');
    else logger.error(fields, 'event dead-lettered');
  };
  const subscription = await channels.consumeLogServiceQueue(
    {
      accountCreated: (payload, meta) => storeWhenAvailable(deps.store, payload, meta, outage),
      userAccessChanged: (payload, meta) => recordAccessChange(deps.accessStore, payload, meta, logger),
    },
    { prefetch: deps.prefetch, onError, ...deps.retry },
  );
  return {
    cancel() {
      // Both in this turn: a waiting handler wakes to find the platform's own stop signal set too.
      stopping.abort();
      return subscription.cancel();
    },
  };
}
