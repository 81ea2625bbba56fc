import type { MessageProperties } from './event-bus.ts';

/**
 * The admin port of a consumer queue's dead-letter queue: list what is in it (with the reason and
 * the delivery count, read uniformly from whichever headers the dead-lettering path wrote), replay
 * messages into the consumer queue (same message_id, correlation_id and headers, so idempotent
 * consumers never act twice) or drop them. Both buses implement it (`EventBus.deadLetters()`).
 *
 * Where the reason and the count come from:
 * - the bus's own `delivery.deadLetter(reason)` (poison payloads, exhausted retries): `x-death-reason`
 *   (the reason text), `x-dead-letter-deliveries` (the source queue's `x-delivery-count` + 1),
 *   `x-dead-lettered-at`, and `x-original-exchange` / `x-original-routing-key` / `x-original-queue`;
 * - the broker (a reject without requeue, a quorum queue's delivery limit): the `x-death` entry of the
 *   source queue (`reason` `rejected` or `delivery_limit`, `time`, `exchange`, `routing-keys`) and
 *   `x-first-death-reason`. The broker keeps no delivery count there (the DLQ's own
 *   `x-delivery-count` counts deliveries from the DLQ, e.g. listings): for `delivery_limit` the count
 *   is the limit + 1 (RabbitMQ 3.10 dead-letters when the delivery count passes the limit), for
 *   `rejected` it is unknown (null).
 */
export interface DeadLetterQueueRef {
  /** The consumer queue: replayed messages go back to it (through the default exchange). */
  queue: string;
  /** Its dead-letter queue. */
  deadLetterQueue: string;
}

export interface DeadLetter {
  messageId: string;
  correlationId: string | undefined;
  type: string;
  /** Where the message was first published (exchange and routing key), before any dead-lettering or replay. */
  exchange: string;
  routingKey: string;
  /** The queue it was dead-lettered from. */
  queue: string;
  /** Why: the consumer's reason text, or the broker's `rejected` / `delivery_limit` / `expired` / `maxlen`. */
  reason: string;
  /** Deliveries to the consumer before it was dead-lettered, when known. */
  deliveryCount: number | null;
  /** Times this message was replayed from the dead-letter queue before. */
  replays: number;
  deadLetteredAt: Date | null;
  /** The message's own timestamp (when it was first published). */
  publishedAt: Date;
  contentType: string;
  /** Application headers (e.g. `traceparent`), without the dead-lettering bookkeeping. */
  headers: Record<string, string | number | boolean | null>;
  /** The body as UTF-8 text (it may be the unparseable JSON that caused the dead-lettering). */
  body: string;
}

export interface DeadLetterPage {
  /** Messages waiting in the dead-letter queue. */
  total: number;
  /** The first `limit` of them, oldest first as the queue holds them. */
  items: DeadLetter[];
}

export interface DeadLetterAdmin {
  /** Look at (at most `limit` of) the messages without removing any. */
  list(ref: DeadLetterQueueRef, limit: number): Promise<DeadLetterPage>;
  /**
   * Move the messages with this message_id (every copy), or all when undefined, back to `ref.queue`;
   * resolves with how many were replayed (0: none had that id). A message dead-lettered again
   * during the replay stays in the dead-letter queue.
   */
  replay(ref: DeadLetterQueueRef, messageId?: string): Promise<number>;
  /** Delete the messages with this message_id (every copy), or all when undefined; resolves with how many. */
  drop(ref: DeadLetterQueueRef, messageId?: string): Promise<number>;
}

/** Headers the bus writes when it dead-letters a message itself. */
export const DEAD_LETTER_HEADERS = {
  reason: 'x-death-reason',
  deliveries: 'x-dead-letter-deliveries',
  at: 'x-dead-lettered-at',
  exchange: 'x-original-exchange',
  routingKey: 'x-original-routing-key',
  queue: 'x-original-queue',
  replays: 'x-replay-count',
} as const;

/** Bookkeeping headers of dead-lettering (the bus's and the broker's): not shown as application headers, removed on replay. */
const BOOKKEEPING = new Set<string>([
  DEAD_LETTER_HEADERS.reason,
  DEAD_LETTER_HEADERS.deliveries,
  DEAD_LETTER_HEADERS.at,
  DEAD_LETTER_HEADERS.exchange,
  DEAD_LETTER_HEADERS.routingKey,
  DEAD_LETTER_HEADERS.queue,
  DEAD_LETTER_HEADERS.replays,
  'x-death',
  'x-first-death-reason',
  'x-first-death-queue',
  'x-first-death-exchange',
  'x-last-death-reason',
  'x-last-death-queue',
  'x-last-death-exchange',
  'x-delivery-count',
]);

/** The headers the bus adds to a message it dead-letters itself (see DeadLetter for how they are read). */
export function deadLetterHeaders(
  reason: string,
  route: { exchange: string; routingKey: string; queue: string },
  headers: Record<string, unknown>,
): Record<string, unknown> {
  return {
    [DEAD_LETTER_HEADERS.reason]: reason,
    [DEAD_LETTER_HEADERS.deliveries]: countOf(headers['x-delivery-count']) + 1,
    [DEAD_LETTER_HEADERS.at]: new Date().toISOString(),
    [DEAD_LETTER_HEADERS.exchange]: route.exchange,
    [DEAD_LETTER_HEADERS.routingKey]: route.routingKey,
    [DEAD_LETTER_HEADERS.queue]: route.queue,
  };
}

/**
 * The exchange and routing key a consumer should see: for a replayed message (published to its
 * queue through the default exchange) the ones it was first published with, else the delivery's.
 */
export function presentedRoute(exchange: string, routingKey: string, headers: Record<string, unknown>): { exchange: string; routingKey: string } {
  const originalKey = headers[DEAD_LETTER_HEADERS.routingKey];
  if (exchange !== '' || headers[DEAD_LETTER_HEADERS.replays] === undefined || typeof originalKey !== 'string') return { exchange, routingKey };
  const originalExchange = headers[DEAD_LETTER_HEADERS.exchange];
  return { exchange: typeof originalExchange === 'string' ? originalExchange : '', routingKey: originalKey };
}

type DeathEntry = Record<string, unknown>;

function deathEntryOf(headers: Record<string, unknown>, queue: string): DeathEntry | undefined {
  const deaths = headers['x-death'];
  if (!Array.isArray(deaths)) return undefined;
  const entries = deaths.filter((d): d is DeathEntry => typeof d === 'object' && d !== null);
  return entries.find((d) => d['queue'] === queue) ?? entries[0];
}

function countOf(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : 0;
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/** amqplib decodes AMQP timestamps as `{'!': 'timestamp', value: seconds}`; the in-memory broker keeps Dates. */
function dateOf(value: unknown): Date | null {
  if (value instanceof Date) return value;
  if (typeof value === 'string') {
    const parsed = new Date(value);
    return Number.isNaN(parsed.getTime()) ? null : parsed;
  }
  if (typeof value === 'number') return new Date(value * 1000);
  if (typeof value === 'object' && value !== null && typeof (value as { value?: unknown }).value === 'number') {
    return new Date((value as { value: number }).value * 1000);
  }
  return null;
}

function headerValue(value: unknown): string | number | boolean | null {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value) ?? null;
}

/** Application headers (bookkeeping removed). */
export function applicationHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !BOOKKEEPING.has(name)));
}

/** Read a dead-lettered message uniformly, whichever path dead-lettered it. `deliveryLimit`: the queue's (quorum). */
export function describeDeadLetter(
  message: { body: Buffer; properties: MessageProperties },
  ref: DeadLetterQueueRef,
  deliveryLimit?: number,
): DeadLetter {
  const { properties } = message;
  const headers = properties.headers;
  const death = deathEntryOf(headers, ref.queue);
  const ownReason = headers[DEAD_LETTER_HEADERS.reason];
  const brokerReason = death?.['reason'] ?? headers['x-first-death-reason'];
  const reason = typeof ownReason === 'string' ? ownReason : typeof brokerReason === 'string' ? brokerReason : 'unknown';
  const ownCount = countOf(headers[DEAD_LETTER_HEADERS.deliveries]);
  let deliveryCount: number | null = ownCount > 0 ? ownCount : null;
  if (deliveryCount === null && reason === 'delivery_limit' && deliveryLimit !== undefined) deliveryCount = deliveryLimit + 1;
  const routingKeys = death?.['routing-keys'];
  const deathKey = Array.isArray(routingKeys) && typeof routingKeys[0] === 'string' ? routingKeys[0] : undefined;
  const exchange = stringOr(headers[DEAD_LETTER_HEADERS.exchange], stringOr(death?.['exchange'], ''));
  const routingKey = stringOr(headers[DEAD_LETTER_HEADERS.routingKey], deathKey ?? properties.type);
  const queue = stringOr(headers[DEAD_LETTER_HEADERS.queue], stringOr(death?.['queue'], ref.queue));
  return {
    messageId: properties.messageId,
    correlationId: properties.correlationId,
    type: properties.type,
    exchange,
    routingKey,
    queue,
    reason,
    deliveryCount,
    replays: countOf(headers[DEAD_LETTER_HEADERS.replays]),
    deadLetteredAt: dateOf(headers[DEAD_LETTER_HEADERS.at]) ?? dateOf(death?.['time']),
    publishedAt: properties.timestamp,
    contentType: properties.contentType,
    headers: Object.fromEntries(Object.entries(applicationHeaders(headers)).map(([name, value]) => [name, headerValue(value)])),
    body: message.body.toString('utf8'),
  };
}

/**
 * The properties a replayed message is published with: the original ones (message_id,
 * correlation_id, type, timestamp, application headers such as `traceparent`), the route it was
 * first published with (so the consumer sees it as before, see presentedRoute) and the replay count.
 */
export function replayProperties(message: { body: Buffer; properties: MessageProperties }, described: DeadLetter): MessageProperties {
  const headers: Record<string, unknown> = {
    ...applicationHeaders(message.properties.headers),
    [DEAD_LETTER_HEADERS.exchange]: described.exchange,
    [DEAD_LETTER_HEADERS.routingKey]: described.routingKey,
    [DEAD_LETTER_HEADERS.replays]: described.replays + 1,
  };
  return { ...message.properties, headers };
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

/** Runs admin operations on one dead-letter queue one at a time (a listing holds messages until it is done). */
export class QueueLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(queue: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(queue) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.tails.set(queue, tail);
    void tail.then(() => {
      if (this.tails.get(queue) === tail) this.tails.delete(queue);
    });
    return next;
  }
}
