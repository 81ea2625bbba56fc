import {
  createEventChannels,
  PermanentMessageError,
  routingKeys,
  type BankCreated,
  type BankCreatedReply,
  type EventNames,
  type MessageMeta,
  type Subscription,
} from '@bank/events';
import type { LogApiClient } from '@contract-bank/client/log-api';
import { DependencyUnavailableError, type EventBus } from '@bank/platform/events';
import { silentLogger, type Logger } from '@bank/platform/logging';
import type { Db } from '../db/database.ts';
import { findOutboxMessage } from '../outbox/index.ts';

export interface CallbackRetry {
  /** Attempts of one reply (log-service down, 5xx, database error) before it is dead-lettered. Default 6. */
  attempts?: number;
  /** Backoff base (ms). Default 500. */
  baseMs?: number;
  /** Backoff cap (ms). Default 10 000. */
  maxMs?: number;
}

export interface BankCallbackConsumerOptions {
  bus: EventBus;
  names: Partial<EventNames>;
  /** Reads the original `bank.created` from the outbox. */
  db: Db;
  /** The generated log-service client (carrying a service token). */
  logApi: LogApiClient;
  logger?: Logger;
  retry?: CallbackRetry;
  prefetch?: number;
}

export interface BankCallbackConsumer extends Subscription {
  /** log-service as the consumer sees it: down from a failed write until the next one succeeds. */
  logServiceWait: LogServiceWait;
}

/**
 * log-service unreachable or answering 5xx / 429 / 408: an outage, not a bad message. The reply
 * waits in hand (backoff, uncounted) for as long as it lasts instead of being dead-lettered.
 */
export class LogServiceUnavailableError extends DependencyUnavailableError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('log-service', message, options);
    this.name = 'LogServiceUnavailableError';
  }
}

/** Whether replies are waiting for log-service now, for `/ready`. */
export interface LogServiceWait {
  /** The reason while a reply waits for log-service, else undefined. */
  current(): string | undefined;
}

interface StoredBankEvent {
  messageId: string;
  correlationId: string | undefined;
  payload: BankCreated;
}

/**
 * The `bank.created` event a reply answers: by the `message_id` the reply names, else by its
 * correlation id (the outbox's indexed `correlation_id` column). Null when the outbox holds no such event.
 */
export async function findBankCreatedEvent(db: Db, reply: BankCreatedReply, correlationId: string): Promise<StoredBankEvent | null> {
  const found = await findOutboxMessage(db, routingKeys.bankCreated, { messageId: reply.message_id, correlationId });
  if (found === null) return null;
  return { messageId: found.messageId, correlationId: found.correlationId, payload: JSON.parse(found.payload) as BankCreated };
}

/** Write the bank event to log-service; 200 (already stored) and 201 are success. */
async function writeLog(logApi: LogApiClient, event: StoredBankEvent): Promise<void> {
  const { user_id, date, message, data } = event.payload;
  let response: Response;
  try {
    ({ response } = await logApi.POST('/logs', {
      body: { user_id, date, message, data: { ...data }, routing_key: routingKeys.bankCreated, message_id: event.messageId },
    }));
  } catch (err) {
    throw new LogServiceUnavailableError(`log-service is unreachable: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (response.status === 200 || response.status === 201) return;
  if (response.status >= 500 || response.status === 429 || response.status === 408) {
    throw new LogServiceUnavailableError(`log-service answered ${response.status}`);
  }
  // 400/401/403/415: this request will never succeed as it is; dead-letter it for a person to look at.
  throw new PermanentMessageError(`log-service refused the bank.created log entry with ${response.status}`);
}

/**
 * Consume the bank's callback queue: for every `bank.created.reply` (email-service mailed the bank
 * event), write that `bank.created` event to log-service through the generated client. Runs in
 * the background — the request that created the bank never waits for it. While log-service is
 * down the reply waits (LogServiceUnavailableError; `/ready` names log-service); other transient
 * failures are retried with backoff (bounded), then the reply is dead-lettered; a reply whose event is unknown
 * is dead-lettered at once. log-service is idempotent by `message_id`, so a redelivered reply
 * writes nothing twice.
 */
export async function startBankCallbackConsumer(options: BankCallbackConsumerOptions): Promise<BankCallbackConsumer> {
  const logger = options.logger ?? silentLogger;
  let waitingFor: string | undefined;
  const channels = createEventChannels(options.bus, options.names);
  const retry = options.retry ?? {};

  async function bankCreatedReply(reply: BankCreatedReply, meta: MessageMeta): Promise<void> {
    const correlationId = meta.correlationId ?? reply.correlation_id;
    const event = await findBankCreatedEvent(options.db, reply, correlationId);
    if (event === null) {
      throw new PermanentMessageError(`no bank.created event with message id ${reply.message_id} and correlation id ${correlationId}`);
    }
    await writeLog(options.logApi, event);
    waitingFor = undefined;
    logger.info({ messageId: event.messageId, correlationId }, 'bank.created written to log-service');
  }

  const subscription = await channels.consumeBankCallbackQueue(
    { bankCreatedReply },
    {
      maxAttempts: retry.attempts ?? 6,
      baseMs: retry.baseMs ?? 500,
      maxMs: retry.maxMs ?? 10_000,
      ...(options.prefetch !== undefined ? { prefetch: options.prefetch } : {}),
      onError: (failure) => {
        if (failure.kind === 'dependency-unavailable') waitingFor = failure.reason;
        logger.warn({ kind: failure.kind, messageId: failure.messageId, attempt: failure.attempt, reason: failure.reason }, 'bank callback failed');
      },
    },
  );
  return { cancel: () => subscription.cancel(), logServiceWait: { current: () => waitingFor } };
}
