import { connect, type Channel, type ChannelModel } from 'amqplib';
import { silentLogger, type Logger } from '../logging.ts';
import { backoffDelay, sleep } from '../retry.ts';
import {
  BrokerUnavailableError,
  type BusState,
  type ConsumeOptions,
  type DeliveryHandler,
  type EventBus,
  type MessageProperties,
  type PublishOptions,
  type Subscription,
} from './event-bus.ts';
import { AmqpConsumer } from './amqp-consumer.ts';
import { AmqpDeadLetters } from './amqp-dead-letters.ts';
import type { DeadLetterAdmin } from './dead-letters.ts';
import { buildProperties } from './message-properties.ts';
import { ConfirmPublisher, errorMessage } from './amqp-publisher.ts';
import { defaultQueueSettings, withQueueSettings, type QueueSettings, type Topology } from './topology.ts';

export interface AmqpBusOptions {
  /**
   * amqp://user:pass@host:port/vhost (vhost URL-encoded), or several such URLs separated by commas
   * (the nodes of a cluster): the bus connects to the first that answers and, when the connection
   * is lost, tries the next one first.
   */
  url: string;
  logger?: Logger;
  /** Default consumer prefetch (default 10). */
  prefetch?: number;
  /** AMQP heartbeat (default 10 s); ignored when the URL has a `heartbeat` query parameter. */
  heartbeatSeconds?: number;
  /** Reconnect backoff (exponential with jitter; defaults 200 ms → 30 s). */
  reconnect?: { baseMs?: number; maxMs?: number };
  /** Shown in the RabbitMQ management UI / rabbitmqctl list_connections. */
  connectionName?: string;
  /** Queue type and delivery limit applied to every declared queue (default quorum, 20 deliveries). */
  queues?: QueueSettings;
}

const DEFAULT_PREFETCH = 10;
const DEFAULT_HEARTBEAT_SECONDS = 10;
const CONNECT_TIMEOUT_MS = 10_000;

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * EventBus over RabbitMQ (amqplib). One connection, one confirm channel for publishing and a
 * channel per consumer. Reconnects forever with backoff, re-declaring every topology passed to
 * declare() and re-attaching every consumer. Publishing while disconnected rejects at once with
 * BrokerUnavailableError (nothing is buffered; the outbox is the buffer).
 *
 * Usage: `const bus = new AmqpBus({ url }); bus.start(); await bus.declare(topology); await bus.consume(…)`,
 * or `await bus.connect(timeoutMs)` to wait for the first connection.
 */
export class AmqpBus implements EventBus {
  private readonly urls: string[];
  /** Index into `urls` of the next address to try. */
  private nextUrl = 0;
  private readonly logger: Logger;
  private readonly prefetch: number;
  private readonly reconnect: { baseMs: number; maxMs: number };
  private readonly connectionName: string | undefined;
  private readonly topologies: Topology[] = [];
  private readonly queueSettings: QueueSettings;
  /** 406 problems of the last declaration of each topology (empty when it was declared). */
  private readonly declareProblems = new Map<Topology, string[]>();
  private redeclareTimer: NodeJS.Timeout | null = null;
  private redeclareAttempt = 0;
  private readonly consumers = new Set<AmqpConsumer>();
  private readonly waiters = new Set<Waiter>();
  private readonly stopSignal = new AbortController();
  private connection: ChannelModel | null = null;
  private publisher: ConfirmPublisher | null = null;
  private publisherOpening: Promise<void> | null = null;
  private connected = false;
  private closing = false;
  private closed = false;
  private loop: Promise<void> | null = null;
  private closingPromise: Promise<void> | null = null;
  private deadLetterAdmin: AmqpDeadLetters | undefined;

  constructor(options: AmqpBusOptions) {
    this.urls = splitAmqpUrls(options.url).map((url) => withHeartbeat(url, options.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS));
    this.logger = options.logger ?? silentLogger;
    this.prefetch = options.prefetch ?? DEFAULT_PREFETCH;
    this.reconnect = { baseMs: options.reconnect?.baseMs ?? 200, maxMs: options.reconnect?.maxMs ?? 30_000 };
    this.connectionName = options.connectionName;
    this.queueSettings = options.queues ?? defaultQueueSettings;
  }

  /** Start connecting in the background (and keep reconnecting until close()). Returns at once. */
  start(): void {
    if (this.loop || this.closing) return;
    this.loop = this.runConnectionLoop();
  }

  /** start() and wait for the first connection (rejects with BrokerUnavailableError after `timeoutMs`). */
  async connect(timeoutMs?: number): Promise<void> {
    this.start();
    await this.waitUntilConnected(timeoutMs);
  }

  /** Resolves when connected (immediately if already); rejects after `timeoutMs` or when the bus closes. */
  waitUntilConnected(timeoutMs?: number): Promise<void> {
    if (this.connected) return Promise.resolve();
    if (this.closing) return Promise.reject(new BrokerUnavailableError('the bus is closed'));
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new BrokerUnavailableError(`not connected to the broker after ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.waiters.add(waiter);
    });
  }

  async declare(topology: Topology): Promise<void> {
    if (this.closing) throw new BrokerUnavailableError('the bus is closed');
    if (!this.topologies.includes(topology)) this.topologies.push(topology);
    const connection = this.connection;
    if (!this.connected || !connection) return; // declared on (re)connect
    try {
      await this.declareOne(connection, topology);
    } catch (err) {
      this.topologies.splice(this.topologies.indexOf(topology), 1);
      this.declareProblems.delete(topology);
      throw err;
    }
  }

  /**
   * Why the declared topology is not in place: one line per entity that exists with other
   * arguments (406). Publishing and the other consumers go on; the declaration is retried.
   */
  problems(): string[] {
    return [...this.declareProblems.values()].flat();
  }

  private async declareOne(connection: ChannelModel, topology: Topology): Promise<void> {
    const problems = await declareTopology(connection, withQueueSettings(topology, this.queueSettings));
    const before = this.declareProblems.get(topology) ?? [];
    for (const problem of problems) if (!before.includes(problem)) this.logger.error({ problem }, `broker refused a declaration: ${problem}`);
    if (problems.length > 0) {
      this.declareProblems.set(topology, problems);
      this.scheduleRedeclare();
    } else if (this.declareProblems.delete(topology)) {
      this.logger.info('the declared topology is in place now');
    }
  }

  /** Retry topologies that met a 406, with backoff (an operator may delete or migrate the queue). */
  private scheduleRedeclare(): void {
    if (this.redeclareTimer || this.closing) return;
    this.redeclareTimer = setTimeout(() => {
      this.redeclareTimer = null;
      const connection = this.connection;
      if (this.closing || !this.connected || !connection) return; // the connection loop declares again
      const failing = [...this.declareProblems.keys()];
      (async () => {
        for (const topology of failing) await this.declareOne(connection, topology);
      })()
        .catch((err: unknown) => this.logger.warn({ err: errorMessage(err) }, 're-declaring the topology failed'))
        .finally(() => {
          if (this.declareProblems.size > 0) this.scheduleRedeclare();
          else this.redeclareAttempt = 0;
        });
    }, backoffDelay(this.redeclareAttempt++, this.reconnect));
    this.redeclareTimer.unref();
  }

  async publish(exchange: string, routingKey: string, body: Buffer, options?: PublishOptions): Promise<void> {
    await this.publishRaw(exchange, routingKey, body, buildProperties(routingKey, options));
  }

  async sendToQueue(queue: string, body: Buffer, options?: PublishOptions): Promise<void> {
    await this.publishRaw('', queue, body, buildProperties(queue, options));
  }

  /** Publish with explicit properties (used to dead-letter a message with its original properties). */
  async publishRaw(exchange: string, routingKey: string, body: Buffer, properties: MessageProperties): Promise<void> {
    const publisher = await this.currentPublisher();
    await publisher.publish(exchange, routingKey, body, properties);
  }

  /** The open confirm channel; reopened on the live connection if the broker closed it (e.g. missing exchange). */
  private async currentPublisher(): Promise<ConfirmPublisher> {
    if (this.closing) throw new BrokerUnavailableError('the bus is closed');
    const connection = this.connection;
    if (!this.connected || !connection) throw new BrokerUnavailableError();
    if (!this.publisher?.isOpen()) {
      try {
        await this.openPublisher(connection);
      } catch (err) {
        throw new BrokerUnavailableError(`cannot open a publisher channel: ${errorMessage(err)}`);
      }
    }
    const publisher = this.publisher;
    if (!this.connected || !publisher?.isOpen()) throw new BrokerUnavailableError();
    return publisher;
  }

  async consume(queue: string, handler: DeliveryHandler, options: ConsumeOptions = {}): Promise<Subscription> {
    if (this.closing) throw new BrokerUnavailableError('the bus is closed');
    const consumer = new AmqpConsumer(queue, handler, options.prefetch ?? this.prefetch, this, this.logger, (c) => this.onConsumerLost(c, 0), options.onCancelling);
    this.consumers.add(consumer);
    const connection = this.connection;
    if (this.connected && connection) {
      try {
        await consumer.attach(connection);
      } catch (err) {
        this.consumers.delete(consumer);
        throw err;
      }
    }
    return {
      cancel: async () => {
        this.consumers.delete(consumer);
        await consumer.cancel();
      },
    };
  }

  isReady(): boolean {
    if (!this.connected || this.declareProblems.size > 0) return false;
    for (const consumer of this.consumers) if (!consumer.isAttached()) return false;
    return true;
  }

  state(): BusState {
    if (this.closed || this.closing) return 'closed';
    return this.connected ? 'connected' : 'connecting';
  }

  /** Cancel consumers, wait for their handlers in flight, wait (bounded) for outstanding confirms, close, stop reconnecting. */
  close(): Promise<void> {
    this.closingPromise ??= this.doClose();
    return this.closingPromise;
  }

  /** The dead-letter admin over this bus's connection (see AmqpDeadLetters). */
  deadLetters(): DeadLetterAdmin {
    // one per bus: its operations on a queue run one at a time
    return (this.deadLetterAdmin ??= new AmqpDeadLetters({
      openChannel: () => this.openChannel(),
      publishRaw: (exchange, routingKey, body, properties) => this.publishRaw(exchange, routingKey, body, properties),
      deliveryLimit: this.queueSettings.type === 'quorum' ? this.queueSettings.maxDeliveries : undefined,
    }));
  }

  /** A new channel on the live connection (its owner closes it). */
  private async openChannel(): Promise<Channel> {
    if (this.closing) throw new BrokerUnavailableError('the bus is closed');
    const connection = this.connection;
    if (!this.connected || !connection) throw new BrokerUnavailableError();
    try {
      return await connection.createChannel();
    } catch (err) {
      throw new BrokerUnavailableError(`cannot open a channel: ${errorMessage(err)}`);
    }
  }

  /** DLX and routing key of a queue, from the topologies passed to declare(). */
  deadLetterTarget(queue: string, originalRoutingKey: string): { exchange: string; routingKey: string } | undefined {
    for (const topology of this.topologies) {
      const spec = topology.queues.find((q) => q.name === queue);
      const exchange = spec?.arguments['x-dead-letter-exchange'];
      if (typeof exchange !== 'string') continue;
      const routingKey = spec?.arguments['x-dead-letter-routing-key'];
      return { exchange, routingKey: typeof routingKey === 'string' ? routingKey : originalRoutingKey };
    }
    return undefined;
  }

  private async doClose(): Promise<void> {
    this.closing = true;
    this.stopSignal.abort();
    if (this.redeclareTimer) clearTimeout(this.redeclareTimer);
    for (const waiter of this.waiters) waiter.reject(new BrokerUnavailableError('the bus is closed'));
    this.waiters.clear();
    const consumers = [...this.consumers];
    this.consumers.clear();
    await Promise.all(consumers.map((c) => c.cancel()));
    await this.publisher?.close();
    const connection = this.connection;
    if (connection) {
      try {
        await connection.close();
      } catch (err) {
        this.logger.debug({ err }, 'closing the broker connection failed (already gone)');
      }
    }
    await this.loop;
    this.connected = false;
    this.closed = true;
    this.logger.info('event bus closed');
  }

  /** The address (without credentials) the bus is connected to, or undefined. */
  connectedTo(): string | undefined {
    return this.connected ? this.currentAddress : undefined;
  }

  private currentAddress: string | undefined;

  private async runConnectionLoop(): Promise<void> {
    let attempt = 0;
    /** Addresses tried since the last connection; backoff only after every address failed. */
    let failedInRound = 0;
    while (!this.closing) {
      let connection: ChannelModel | null = null;
      const url = this.urls[this.nextUrl % this.urls.length] ?? '';
      const address = displayAddress(url);
      this.nextUrl = (this.nextUrl + 1) % this.urls.length;
      try {
        connection = await connect(url, {
          timeout: CONNECT_TIMEOUT_MS,
          clientProperties: this.connectionName ? { connection_name: this.connectionName } : {},
        });
        const current = connection;
        const lost = new Promise<void>((resolve) => {
          current.on('close', (err?: Error) => {
            if (this.connection === current) this.markDisconnected();
            if (!this.closing) this.logger.warn({ reason: err ? errorMessage(err) : 'closed' }, 'broker connection lost');
            resolve();
          });
        });
        current.on('error', (err: Error) => this.logger.debug({ err }, 'broker connection error'));
        current.on('blocked', (reason: string) => this.logger.warn({ reason }, 'broker blocked the connection'));
        current.on('unblocked', () => this.logger.info('broker unblocked the connection'));
        this.connection = current;
        if (this.closing) {
          await current.close().catch(() => undefined);
          break;
        }
        await this.setUp(current);
        attempt = 0;
        failedInRound = 0;
        this.currentAddress = address;
        this.connected = true;
        this.logger.info({ consumers: this.consumers.size, address }, 'connected to the broker');
        for (const waiter of this.waiters) waiter.resolve();
        this.waiters.clear();
        await lost;
      } catch (err) {
        if (this.closing) break;
        this.logger.warn({ err: errorMessage(err), attempt, address }, 'connecting to the broker failed');
        failedInRound++;
        const failed = connection;
        if (failed) {
          if (this.connection === failed) this.markDisconnected();
          failed.close().catch(() => undefined);
        }
      }
      if (this.closing) break;
      // the next address at once while some are untried; the backoff once all of them failed
      if (failedInRound === 0 || failedInRound % this.urls.length === 0) {
        await sleep(backoffDelay(attempt++, this.reconnect), this.stopSignal.signal);
      }
    }
  }

  /** Publisher channel, every topology, every consumer — on each new connection. */
  private async setUp(connection: ChannelModel): Promise<void> {
    await this.openPublisher(connection);
    for (const topology of this.topologies) await this.declareOne(connection, topology);
    for (const consumer of this.consumers) {
      try {
        await consumer.attach(connection);
      } catch (err) {
        this.logger.error({ err: errorMessage(err), queue: consumer.queue }, 'attaching a consumer failed; retrying');
        this.onConsumerLost(consumer, 1);
      }
    }
  }

  /** Open the confirm channel (one attempt at a time); the publisher is reopened lazily by the next publish. */
  private openPublisher(connection: ChannelModel): Promise<void> {
    if (!this.publisherOpening) {
      const opening = ConfirmPublisher.open(connection, this.logger)
        .then((publisher) => {
          if (this.connection === connection) this.publisher = publisher;
        })
        .finally(() => {
          if (this.publisherOpening === opening) this.publisherOpening = null;
        });
      this.publisherOpening = opening;
    }
    return this.publisherOpening;
  }

  /** A consumer's channel died while its connection may still be up: re-attach with backoff. */
  private onConsumerLost(consumer: AmqpConsumer, attempt: number): void {
    const connection = this.connection;
    setTimeout(() => {
      if (this.closing || consumer.isCancelled() || !this.consumers.has(consumer)) return;
      if (this.connection !== connection || !connection || !this.connected) return; // the connection loop re-attaches it
      consumer.attach(connection).catch((err: unknown) => {
        this.logger.error({ err: errorMessage(err), queue: consumer.queue, attempt }, 're-attaching a consumer failed; retrying');
        this.onConsumerLost(consumer, attempt + 1);
      });
    }, backoffDelay(attempt, this.reconnect)).unref();
  }

  private markDisconnected(): void {
    this.connected = false;
    this.connection = null;
    this.publisher = null;
  }
}

/**
 * Declare a topology on a channel of its own. A 406 PRECONDITION_FAILED (an entity exists with
 * other arguments, e.g. a classic queue where a quorum queue is declared) closes the channel; it
 * is recorded as a problem naming the entity and the differing argument, a new channel is opened
 * and the rest is declared. Any other failure rejects.
 */
async function declareTopology(connection: ChannelModel, topology: Topology): Promise<string[]> {
  const problems: string[] = [];
  let channel = await openDeclareChannel(connection);
  const attempt = async (what: string, run: (ch: Channel) => Promise<unknown>): Promise<void> => {
    try {
      await run(channel.channel);
    } catch (err) {
      const failure = channel.failure() ?? err;
      if (!isPreconditionFailed(failure)) throw failure;
      problems.push(describePreconditionFailure(what, failure));
      channel = await openDeclareChannel(connection);
    }
  };
  for (const e of topology.exchanges) {
    await attempt(`exchange '${e.name}'`, (ch) => ch.assertExchange(e.name, e.type, { durable: e.durable, autoDelete: e.autoDelete }));
  }
  for (const q of topology.queues) {
    await attempt(`queue '${q.name}'`, (ch) =>
      ch.assertQueue(q.name, { durable: q.durable, exclusive: q.exclusive, autoDelete: q.autoDelete, arguments: q.arguments }),
    );
  }
  for (const b of topology.bindings) {
    await attempt(`binding of queue '${b.queue}' to '${b.exchange}'`, (ch) => ch.bindQueue(b.queue, b.exchange, b.routingKey));
  }
  await channel.channel.close().catch(() => undefined);
  return problems;
}

async function openDeclareChannel(connection: ChannelModel): Promise<{ channel: Channel; failure: () => Error | undefined }> {
  const channel = await connection.createChannel();
  let failure: Error | undefined;
  channel.on('error', (err: Error) => {
    failure = err;
  });
  return { channel, failure: () => failure };
}

function isPreconditionFailed(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 406 || /PRECONDITION[_-]FAILED/.test(errorMessage(err));
}

/** `queue 'log-service': argument 'x-queue-type' differs (received the value 'quorum' … but current is none)` */
export function describePreconditionFailure(what: string, err: unknown): string {
  const text = errorMessage(err);
  const argument = /inequivalent arg '([^']+)'/.exec(text)?.[1];
  const detail = /(received .*?)(?:"|$)/.exec(text)?.[1];
  if (argument) return `${what} exists with other arguments: '${argument}' differs (${detail ?? text}); it was not declared`;
  return `${what} could not be declared: ${text}`;
}

/** `amqp://a/,amqp://b/` → both URLs (blanks around the commas ignored); at least one is required. */
export function splitAmqpUrls(list: string): string[] {
  const urls = list
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
  if (urls.length === 0) throw new Error('no broker address given');
  return urls;
}

/** host:port/vhost of an AMQP URL, for logs (never the credentials). */
function displayAddress(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || (parsed.protocol === 'amqps:' ? '5671' : '5672')}${parsed.pathname}`;
}

function withHeartbeat(url: string, seconds: number): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('heartbeat')) parsed.searchParams.set('heartbeat', String(seconds));
  return parsed.toString();
}
