import {
  createEventChannels,
  PermanentMessageError,
  type AccountCreated,
  type EventNames,
  type MessageMeta,
  type Subscription,
} from '@bank/events';
import type { ConsumeFailure, EventBus } from '@bank/platform/events';
import { silentLogger, type Logger } from '@bank/platform/logging';
import { recordAccessChange, type UserAccessStore } from '../access/index.ts';
import { InvalidLogDocumentError, type LogStore } from '../store/index.ts';

/** In-process retries of a failing store write before the message is dead-lettered. */
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
 * error (store down) is retried with backoff, then dead-lettered.
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

/**
 * Attach the log-service queue consumer (`account.created` → a log entry, `user.access.changed` →
 * the record of revoked tokens) through the generated, validating `consumeLogServiceQueue`
 * (invalid JSON / payloads are dead-lettered with the reason by the platform). Resolves with the
 * subscription; `cancel()` stops taking messages and finishes the ones in hand.
 */
export function startAccountEventsConsumer(deps: AccountEventsConsumerDeps): Promise<Subscription> {
  const logger = deps.logger ?? silentLogger;
  const channels = createEventChannels(deps.bus, deps.names);
  const onError = (failure: ConsumeFailure): void => {
    const { error: _error, ...fields } = failure;
    if (failure.kind === 'transient') logger.warn(fields, 'storing an event failed; retrying');
    else logger.error(fields, 'event dead-lettered');
  };
  return channels.consumeLogServiceQueue(
    {
      accountCreated: (payload, meta) => storeEvent(deps.store, payload, meta, logger),
      userAccessChanged: (payload, meta) => recordAccessChange(deps.accessStore, payload, meta, logger),
    },
    { prefetch: deps.prefetch, onError, ...deps.retry },
  );
}
