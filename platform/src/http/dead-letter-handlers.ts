/**
 * The dead-letter admin API every consuming service serves (`/admin/dead-letters` in its spec,
 * the same operations and shapes in each): list, replay and drop the messages of the service's
 * dead-letter queue through the bus's DeadLetterAdmin port. The handlers fit each service's
 * generated interface (its operations listDeadLetters, replayDeadLetters, dropDeadLetter,
 * dropAllDeadLetters); who may call them is the service's `mayAdminister`.
 */
import { BrokerUnavailableError } from '../events/event-bus.ts';
import type { DeadLetter, DeadLetterAdmin, DeadLetterQueueRef } from '../events/dead-letters.ts';

/** Seconds a client is asked to wait when the broker is unreachable. */
export const BROKER_RETRY_AFTER_SECONDS = 5;

export interface DeadLetterHandlerDeps<C> {
  admin: DeadLetterAdmin;
  /** The service's queue and its dead-letter queue. */
  ref: DeadLetterQueueRef;
  /** Only admins act on dead letters. */
  mayAdminister(caller: C): boolean;
}

/** A dead letter as the API shows it (snake_case, dates as ISO strings). */
export interface DeadLetterBody {
  message_id: string;
  correlation_id: string | null;
  type: string;
  exchange: string;
  routing_key: string;
  queue: string;
  reason: string;
  delivery_count: number | null;
  replays: number;
  dead_lettered_at: string | null;
  published_at: string;
  content_type: string;
  headers: Record<string, string | number | boolean | null>;
  body: string;
}

export function deadLetterBody(letter: DeadLetter): DeadLetterBody {
  return {
    message_id: letter.messageId,
    correlation_id: letter.correlationId ?? null,
    type: letter.type,
    exchange: letter.exchange,
    routing_key: letter.routingKey,
    queue: letter.queue,
    reason: letter.reason,
    delivery_count: letter.deliveryCount,
    replays: letter.replays,
    dead_lettered_at: letter.deadLetteredAt?.toISOString() ?? null,
    published_at: letter.publishedAt.toISOString(),
    content_type: letter.contentType,
    headers: letter.headers,
    body: letter.body,
  };
}

const ACCESS_DENIED = { status: 403 as const, body: { msg: 'Access denied' } };
const NOT_FOUND = { status: 404 as const, body: { msg: 'Dead letter not found' } };
const BROKER_DOWN = {
  status: 503 as const,
  body: { msg: 'The message broker is unavailable; retry later' },
  headers: { 'Retry-After': String(BROKER_RETRY_AFTER_SECONDS) },
};

/** Run `task`; an unreachable broker is the 503 reply. */
async function orBrokerDown<T>(task: () => Promise<T>): Promise<T | typeof BROKER_DOWN> {
  try {
    return await task();
  } catch (err) {
    if (err instanceof BrokerUnavailableError) return BROKER_DOWN;
    throw err;
  }
}

type Selection = { message_id: string } | { all: true };

export function createDeadLetterHandlers<C>(deps: DeadLetterHandlerDeps<C>) {
  const { admin, ref } = deps;
  return {
    async listDeadLetters({ query, caller }: { query: { limit: number }; caller: C }) {
      if (!deps.mayAdminister(caller)) return ACCESS_DENIED;
      return orBrokerDown(async () => {
        const page = await admin.list(ref, query.limit);
        return {
          status: 200 as const,
          body: { queue: ref.queue, dead_letter_queue: ref.deadLetterQueue, total: page.total, items: page.items.map(deadLetterBody) },
        };
      });
    },

    async replayDeadLetters({ body, caller }: { body: Selection; caller: C }) {
      if (!deps.mayAdminister(caller)) return ACCESS_DENIED;
      const messageId = 'message_id' in body ? body.message_id : undefined;
      return orBrokerDown(async () => {
        const replayed = await admin.replay(ref, messageId);
        if (messageId !== undefined && replayed === 0) return NOT_FOUND;
        return { status: 200 as const, body: { msg: 'dead letters replayed' as const, replayed } };
      });
    },

    async dropDeadLetter({ params, caller }: { params: { message_id: string }; caller: C }) {
      if (!deps.mayAdminister(caller)) return ACCESS_DENIED;
      return orBrokerDown(async () => {
        const dropped = await admin.drop(ref, params.message_id);
        if (dropped === 0) return NOT_FOUND;
        return { status: 200 as const, body: { msg: 'dead letters dropped' as const, dropped } };
      });
    },

    async dropAllDeadLetters({ caller }: { caller: C }) {
      if (!deps.mayAdminister(caller)) return ACCESS_DENIED;
      return orBrokerDown(async () => {
        const dropped = await admin.drop(ref);
        return { status: 200 as const, body: { msg: 'dead letters dropped' as const, dropped } };
      });
    },
  };
}
