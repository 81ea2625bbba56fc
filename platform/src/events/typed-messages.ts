/**
 * Validated, typed publishing and consuming on top of an EventBus. The generated
 * `@bank/events` functions are thin calls into these; this module knows nothing
 * about the concrete events.
 */
import { randomUUID } from 'node:crypto';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { backoffDelay, sleep } from '../retry.ts';
import type { ConsumeOptions, Delivery, EventBus, PublishOptions, Subscription } from './event-bus.ts';

const addFormats = addFormatsModule.default;

// ------------------------------------------------------------------------------------ validation

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: string };

/** Checks an unknown value against a schema; `errors` names the failing fields. */
export type Validator<T> = (value: unknown) => ValidationResult<T>;

/** An ajv instance configured for event schemas: strict, all errors, with ajv-formats. */
export function createEventAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv);
  return ajv;
}

/** Compile a JSON schema once into a Validator (call at module load, not per message). */
export function compileValidator<T>(ajv: Ajv, schema: object): Validator<T> {
  const validate: ValidateFunction<T> = ajv.compile<T>(schema);
  return (value: unknown): ValidationResult<T> =>
    validate(value) ? { ok: true, value } : { ok: false, errors: formatValidationErrors(validate.errors) };
}

/**
 * One line naming each failing field by its dotted path, e.g.
 * `data.id must be >= 1; data.name is required; extra is not allowed`.
 */
export function formatValidationErrors(errors: readonly ErrorObject[] | null | undefined): string {
  if (!errors || errors.length === 0) return 'invalid value';
  const parts = errors.map((e) => {
    const base = e.instancePath.split('/').slice(1).map(unescapePointer);
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required' && typeof params.missingProperty === 'string') {
      return `${fieldName([...base, params.missingProperty])} is required`;
    }
    if (e.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      return `${fieldName([...base, params.additionalProperty])} is not allowed`;
    }
    return `${fieldName(base)} ${e.message ?? `fails ${e.keyword}`}`;
  });
  return [...new Set(parts)].join('; ');
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function fieldName(segments: string[]): string {
  return segments.length === 0 ? '(message)' : segments.join('.');
}

/** A payload failed its schema before publishing; nothing was sent. */
export class InvalidMessageError extends Error {
  constructor(
    readonly messageType: string,
    readonly errors: string,
  ) {
    super(`invalid ${messageType} message: ${errors}`);
    this.name = 'InvalidMessageError';
  }
}

/**
 * Throw from a consumer handler when the message can never succeed (e.g. it references a
 * record that does not exist): the message is dead-lettered at once with this message as
 * the reason instead of being retried.
 */
export class PermanentMessageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentMessageError';
  }
}

/**
 * Throw from a consumer handler when something the handler needs is down (an SMTP server, a
 * database, another service): the message is not at fault. The consumer keeps it — waits with
 * backoff and calls the handler again, for as long as it takes — without counting the attempt
 * toward the dead-letter budget and without returning the message to the broker (so no
 * redelivery and no delivery count is spent). `dependency` names what is down (e.g. `smtp`).
 */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DependencyUnavailableError';
  }
}

// ------------------------------------------------------------------------------------ publishing

/** Properties a caller may set when publishing; the rest are filled in. */
export interface OutgoingProperties {
  /** Default: a new uuid. Consumers are idempotent by it. */
  messageId?: string;
  correlationId?: string;
  replyTo?: string;
  /** Default: now. */
  timestamp?: Date;
  headers?: Record<string, unknown>;
}

/** A validated, encoded message ready for `sendEncoded` (or to be stored in an outbox first). */
export interface EncodedMessage {
  /** `''` = the default exchange: `routingKey` is then the queue name (used for replies). */
  exchange: string;
  routingKey: string;
  body: Buffer;
  options: PublishOptions & { messageId: string; type: string; timestamp: Date };
}

export interface EncodeArgs<T> {
  /** Exchange name; `''` sends to the queue `routingKey` through the default exchange. */
  exchange: string;
  routingKey: string;
  /** The message type (AMQP `type` property). Default: the routing key. */
  type?: string;
  validate: Validator<T>;
  payload: T;
  options?: OutgoingProperties;
}

/**
 * Validate and encode a message (JSON body; `message_id` uuid unless given, `type`, `timestamp`).
 * Throws InvalidMessageError for a payload that fails its schema.
 */
export function encodeValidated<T>(args: EncodeArgs<T>): EncodedMessage {
  const type = args.type ?? args.routingKey;
  const checked = args.validate(args.payload);
  if (!checked.ok) throw new InvalidMessageError(type, checked.errors);
  const props = args.options ?? {};
  const options: EncodedMessage['options'] = {
    messageId: props.messageId ?? randomUUID(),
    type,
    timestamp: props.timestamp ?? new Date(),
  };
  if (props.correlationId !== undefined) options.correlationId = props.correlationId;
  if (props.replyTo !== undefined) options.replyTo = props.replyTo;
  if (props.headers !== undefined) options.headers = props.headers;
  return {
    exchange: args.exchange,
    routingKey: args.routingKey,
    body: Buffer.from(JSON.stringify(checked.value), 'utf8'),
    options,
  };
}

/** Send an encoded message: publish to its exchange, or to its queue when the exchange is `''`. */
export async function sendEncoded(bus: EventBus, message: EncodedMessage): Promise<void> {
  if (message.exchange === '') await bus.sendToQueue(message.routingKey, message.body, message.options);
  else await bus.publish(message.exchange, message.routingKey, message.body, message.options);
}

/**
 * Validate, encode and publish (resolves once the broker confirmed). An invalid payload throws
 * InvalidMessageError and sends nothing. Returns the message id.
 */
export async function publishValidated<T>(bus: EventBus, args: EncodeArgs<T>): Promise<string> {
  const message = encodeValidated(args);
  await sendEncoded(bus, message);
  return message.options.messageId;
}

// ------------------------------------------------------------------------------------ consuming

/** What a handler learns about the delivery besides the typed payload. */
export interface MessageMeta {
  messageId: string;
  correlationId: string | undefined;
  replyTo: string | undefined;
  /** The message type the route was chosen by (`type` property, else the routing key). */
  type: string;
  routingKey: string;
  exchange: string;
  queue: string;
  redelivered: boolean;
  timestamp: Date;
  headers: Record<string, unknown>;
  /**
   * Counted failures so far: 0 on the first in-process attempt, then 1, 2, … while a transient
   * failure is retried. Waiting for a dependency (DependencyUnavailableError) does not count.
   */
  attempt: number;
  /**
   * Earlier failed deliveries of this message as the broker counts them (`x-delivery-count` of a
   * quorum queue: it survives consumer crashes and restarts); 0 on a first delivery or a classic queue.
   */
  deliveryCount: number;
}

export interface Route<T> {
  validate: Validator<T>;
  // Method syntax on purpose: a Route<AccountCreated> must fit into a Routes map.
  handle(payload: T, meta: MessageMeta): Promise<void>;
}

/** Message type (e.g. `account.created`) → its validator and handler. */
export type Routes = Readonly<Record<string, Route<unknown>>>;

/** Pair a validator with a handler of the same payload type. */
export function route<T>(validate: Validator<T>, handle: (payload: T, meta: MessageMeta) => Promise<void>): Route<T> {
  return { validate, handle: (payload, meta) => handle(payload, meta) };
}

export type ConsumeFailureKind =
  | 'unparseable'
  | 'unknown-type'
  | 'invalid'
  | 'permanent'
  | 'transient'
  | 'dependency-unavailable'
  | 'exhausted'
  | 'dead-letter-failed';

/** Passed to `onError` for every failure while consuming (for logging / metrics). */
export interface ConsumeFailure {
  kind: ConsumeFailureKind;
  queue: string;
  routingKey: string;
  messageId: string;
  /** The dead-letter reason, or the handler's error message. */
  reason: string;
  error?: unknown;
  /** For handler failures: the attempt that failed (0-based). */
  attempt?: number;
  /** For `dependency-unavailable`: what is down. */
  dependency?: string;
  /** The broker's `x-delivery-count` of the message (quorum queues), when above 0. */
  deliveryCount?: number;
}

export interface ConsumeValidatedOptions extends ConsumeOptions {
  /** In-process attempts of a handler that throws a transient error (dependency waits not counted). Default 5. */
  maxAttempts?: number;
  /** Backoff base between attempts (ms). Default 200. */
  baseMs?: number;
  /** Backoff cap (ms). Default 5000. */
  maxMs?: number;
  onError?: (failure: ConsumeFailure) => void;
}

export interface ConsumeValidatedArgs extends ConsumeValidatedOptions {
  routes: Routes;
}

/**
 * Consume `queue`, dispatching each message by its `type` property (fallback: routing key):
 * - unparseable JSON, an unknown type or a payload failing its schema → dead-lettered with the
 *   reason (which names the failing field), never retried;
 * - handler resolves → ack;
 * - handler throws PermanentMessageError → dead-lettered with its message;
 * - handler throws DependencyUnavailableError → the message stays unacked in hand and the handler
 *   is called again after a backoff, without limit and without counting toward `maxAttempts`;
 * - any other error → retried in-process with backoff (the message stays unacked) up to
 *   `maxAttempts`, then dead-lettered with the last error.
 * When the subscription is cancelled during a backoff the message is requeued instead.
 */
export async function consumeValidated(bus: EventBus, queue: string, args: ConsumeValidatedArgs): Promise<Subscription> {
  const { routes, onError, prefetch } = args;
  const maxAttempts = args.maxAttempts ?? 5;
  const backoff = { baseMs: args.baseMs ?? 200, maxMs: args.maxMs ?? 5_000 };
  const stopping = new AbortController();

  async function reject(delivery: Delivery, kind: ConsumeFailureKind, reason: string, error?: unknown, attempt?: number): Promise<void> {
    notify({ kind, reason, error, attempt }, delivery);
    try {
      await delivery.deadLetter(reason);
    } catch (err) {
      notify({ kind: 'dead-letter-failed', reason: errorMessage(err), error: err }, delivery);
      throw err;
    }
  }

  function notify(failure: Omit<ConsumeFailure, 'queue' | 'routingKey' | 'messageId'>, delivery: Delivery): void {
    if (!onError) return;
    const full: ConsumeFailure = { queue: delivery.queue, routingKey: delivery.routingKey, messageId: delivery.properties.messageId, ...failure };
    const deliveryCount = deliveryCountOf(delivery);
    if (deliveryCount > 0) full.deliveryCount = deliveryCount;
    if (full.error === undefined) delete full.error;
    if (full.attempt === undefined) delete full.attempt;
    try {
      onError(full);
    } catch {
      // a failing logger must not change what happens to the message
    }
  }

  async function handleDelivery(delivery: Delivery): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse(delivery.body.toString('utf8'));
    } catch (err) {
      return reject(delivery, 'unparseable', `unparseable message body: ${errorMessage(err)}`, err);
    }
    const type = delivery.properties.type || delivery.routingKey;
    const target = Object.hasOwn(routes, type) ? routes[type] : undefined;
    if (!target) {
      const known = Object.keys(routes).join(', ');
      return reject(delivery, 'unknown-type', `unknown message type "${type}" on queue "${queue}" (expected one of: ${known})`);
    }
    const checked = target.validate(body);
    if (!checked.ok) return reject(delivery, 'invalid', `invalid ${type} message: ${checked.errors}`);

    const base = {
      messageId: delivery.properties.messageId,
      correlationId: delivery.properties.correlationId,
      replyTo: delivery.properties.replyTo,
      type,
      routingKey: delivery.routingKey,
      exchange: delivery.exchange,
      queue: delivery.queue,
      redelivered: delivery.redelivered,
      timestamp: delivery.properties.timestamp,
      headers: delivery.properties.headers,
      deliveryCount: deliveryCountOf(delivery),
    };
    let attempt = 0;
    let waits = 0;
    for (;;) {
      try {
        await target.handle(checked.value, { ...base, attempt });
        break;
      } catch (err) {
        if (err instanceof PermanentMessageError) return reject(delivery, 'permanent', err.message, err);
        let delay: number;
        if (err instanceof DependencyUnavailableError) {
          notify({ kind: 'dependency-unavailable', reason: errorMessage(err), error: err, attempt, dependency: err.dependency }, delivery);
          delay = backoffDelay(waits++, backoff);
        } else {
          notify({ kind: 'transient', reason: errorMessage(err), error: err, attempt }, delivery);
          attempt++;
          if (attempt >= maxAttempts) {
            return reject(delivery, 'exhausted', `handler failed after ${maxAttempts} attempt(s): ${errorMessage(err)}`, err);
          }
          delay = backoffDelay(attempt - 1, backoff);
        }
        if (!stopping.signal.aborted) await sleep(delay, stopping.signal);
        if (stopping.signal.aborted) {
          await delivery.nack({ requeue: true });
          return;
        }
      }
    }
    await delivery.ack();
  }

  // messages waiting in a backoff are given back (nack requeue) only once the broker stopped
  // delivering to this consumer, so they are not redelivered to it while it stops
  const options: ConsumeOptions = { onCancelling: () => stopping.abort() };
  if (prefetch !== undefined) options.prefetch = prefetch;
  const subscription = await bus.consume(queue, handleDelivery, options);
  return {
    async cancel(): Promise<void> {
      await subscription.cancel();
      stopping.abort();
    },
  };
}

/** `x-delivery-count` as a quorum queue sets it on a redelivery (0 when absent or not a count). */
export function deliveryCountOf(delivery: Delivery): number {
  const value = delivery.properties.headers['x-delivery-count'];
  const count = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : 0;
  return Number.isInteger(count) && count > 0 ? count : 0;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
