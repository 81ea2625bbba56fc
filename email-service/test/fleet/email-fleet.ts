import type { AddressInfo } from 'node:net';
import { connect } from 'amqplib';
import { pino } from 'pino';
import { buildTopology, createEventChannels, type EventChannels } from '@bank/events';
import { AmqpBus } from '@bank/platform/events';
import { createTestDatabase, createTestVhost, type TestDatabase, type TestVhost } from '@bank/testkit';
import { startEmailService, type RunningEmailService } from '../../src/wiring.ts';
import { testConfig } from '../support/email-fixtures.ts';

/** What one replica's log said, counted by message (the service logs one line per outcome). */
export class ReplicaLog {
  readonly counts = new Map<string, number>();
  /** `dependency` of every "a dependency is unavailable" line. */
  readonly unavailable: string[] = [];
  /** Lines at error level (none expected). */
  readonly errors: string[] = [];
  /** `redelivered` of every "event mailed" line: true means the broker had delivered that message before. */
  readonly mailedRedelivered: boolean[] = [];

  count(msg: string): number {
    return this.counts.get(msg) ?? 0;
  }

  write(line: string): void {
    const entry = JSON.parse(line) as { msg?: string; level?: number; dependency?: string; redelivered?: boolean };
    const msg = entry.msg ?? '';
    this.counts.set(msg, this.count(msg) + 1);
    if (msg === 'a dependency is unavailable; the event waits') this.unavailable.push(entry.dependency ?? '');
    if (msg === 'event mailed') this.mailedRedelivered.push(entry.redelivered === true);
    if ((entry.level ?? 0) >= 50) this.errors.push(line);
  }
}

export interface Replica {
  running: RunningEmailService;
  log: ReplicaLog;
  /** http://127.0.0.1:<port> of its /health and /ready. */
  url: string;
}

export interface FleetSettings {
  amqpUrl: string;
  sentStoreUrl: string;
  smtpPort: number;
  /** More EmailConfig variables (strings, as in the environment). */
  env?: Record<string, string>;
}

/**
 * Start `count` email-service replicas through the service's own wiring, as `main.ts` would with
 * that environment: each opens its own AMQP connection and sent-store pool on the shared vhost
 * and database, and listens on a port of its own. Their logs are counted, not printed.
 */
export async function startReplicas(count: number, settings: FleetSettings): Promise<Replica[]> {
  const config = testConfig(settings.smtpPort, {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    AMQP_URI: settings.amqpUrl,
    SENT_STORE_URL: settings.sentStoreUrl,
    EMAIL_FROM: 'Bank <noreply@bank.test>',
    ...settings.env,
  });
  return Promise.all(
    Array.from({ length: count }, async () => {
      const log = new ReplicaLog();
      const logger = pino({ level: 'info' }, { write: (line: string) => log.write(line) });
      const running = await startEmailService(config, { logger });
      const { port } = running.server.address() as AddressInfo;
      return { running, log, url: `http://127.0.0.1:${port}` };
    }),
  );
}

export interface Fleet {
  vhost: TestVhost;
  db: TestDatabase;
  replicas: Replica[];
  /** bank-service's side: typed publishers on their own connection (topology declared). */
  bank: EventChannels;
  /** Stop the replicas and the publisher, delete the vhost and drop the database. */
  close(): Promise<void>;
}

/**
 * A fresh vhost and database (named after `prefix`), a publisher that declared the topology, and
 * `count` replicas on them mailing through the catcher on `smtpPort`.
 */
export async function startFleet(prefix: string, count: number, smtpPort: number, env: Record<string, string>): Promise<Fleet> {
  const vhost = await createTestVhost(prefix);
  const db = await createTestDatabase(prefix.replace(/-/g, '_'));
  const publisher = new AmqpBus({ url: vhost.url, connectionName: 'bank-service (test publisher)' });
  let replicas: Replica[] = [];
  const close = async () => {
    await Promise.all(replicas.map((r) => r.running.stop()));
    await publisher.close();
    await vhost.delete();
    await db.drop();
  };
  try {
    await publisher.connect(10_000);
    await publisher.declare(buildTopology());
    replicas = await startReplicas(count, { amqpUrl: vhost.url, sentStoreUrl: db.url, smtpPort, env });
  } catch (err) {
    await close();
    throw err;
  }
  return { vhost, db, replicas, bank: createEventChannels(publisher), close };
}

/** Messages ready in a queue of the vhost (read with a passive declare). */
export async function queueDepth(amqpUrl: string, queue: string): Promise<number> {
  const connection = await connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    return (await channel.checkQueue(queue)).messageCount;
  } finally {
    await connection.close();
  }
}

/** How often each value occurs. */
export function tally(values: readonly (string | null)[]): Map<string | null, number> {
  const counts = new Map<string | null, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}
