/**
 * Baseline of the event-pipeline benchmark: raw amqplib on the same broker (a fresh vhost), no
 * outbox, no validation, no store. Two processes of this script:
 *
 * - `consume`: prefetch PREFETCH (as log-service), declares a durable topic exchange and a durable
 *   queue bound to `account.created`, prints `READY`, then consumes and acks every message; after
 *   N messages prints `RESULT {"firstAt","lastAt","latencies":{p50,p99}}` (ms since the epoch /
 *   ms). A message's latency = its receive time − the publish time written in its body.
 * - `publish`: a confirm channel, N persistent mandatory messages of SIZE bytes with at most
 *   WINDOW unconfirmed at a time; prints `RESULT {"startAt","confirmedAt"}`.
 *
 * Env: AMQP_URL, N, SIZE, WINDOW (default 1000), PREFETCH (default 50).
 */
import { connect, type ConsumeMessage } from 'amqplib';
import { percentiles } from './stats.ts';

const EXCHANGE = 'bench_raw_exchange';
const QUEUE = 'bench_raw_queue';
const ROUTING_KEY = 'account.created';

const role = process.argv[2];
const url = process.env.AMQP_URL ?? '';
const n = Number(process.env.N ?? 5000);
const size = Number(process.env.SIZE ?? 200);
const window = Number(process.env.WINDOW ?? 1000);
const prefetch = Number(process.env.PREFETCH ?? 50);
const nowMs = (): number => performance.timeOrigin + performance.now();

/** A JSON body of exactly `size` bytes carrying the publish time. */
function body(index: number): Buffer {
  const t = nowMs();
  const head = JSON.stringify({ t, i: index, pad: '' });
  return Buffer.from(JSON.stringify({ t, i: index, pad: 'x'.repeat(Math.max(0, size - Buffer.byteLength(head))) }));
}

async function consume(): Promise<void> {
  const connection = await connect(url);
  const channel = await connection.createChannel();
  await channel.assertExchange(EXCHANGE, 'topic', { durable: true });
  await channel.assertQueue(QUEUE, { durable: true });
  await channel.bindQueue(QUEUE, EXCHANGE, ROUTING_KEY);
  await channel.prefetch(prefetch);
  const latencies: number[] = [];
  let firstAt = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((r) => (done = r));
  await channel.consume(QUEUE, (msg: ConsumeMessage | null) => {
    if (msg === null) return;
    const at = nowMs();
    const sent = (JSON.parse(msg.content.toString()) as { t: number }).t;
    if (firstAt === 0) firstAt = at;
    latencies.push(at - sent);
    channel.ack(msg);
    if (latencies.length === n) done();
  });
  console.log('READY');
  await finished;
  const lastAt = nowMs();
  console.log(`RESULT ${JSON.stringify({ firstAt, lastAt, received: latencies.length, latencies: percentiles(latencies) })}`);
  await connection.close();
}

async function publish(): Promise<void> {
  const connection = await connect(url);
  const channel = await connection.createConfirmChannel();
  await channel.assertExchange(EXCHANGE, 'topic', { durable: true });
  let outstanding = 0;
  let failed = 0;
  let wake: () => void = () => undefined;
  const startAt = nowMs();
  for (let i = 0; i < n; i++) {
    while (outstanding >= window) await new Promise<void>((r) => (wake = r));
    outstanding++;
    const ok = channel.publish(
      EXCHANGE,
      ROUTING_KEY,
      body(i),
      { persistent: true, mandatory: true, contentType: 'application/json', messageId: `raw-${i}`, type: ROUTING_KEY, timestamp: Math.floor(Date.now() / 1000) },
      (err) => {
        if (err) failed++;
        outstanding--;
        wake();
      },
    );
    if (!ok) await new Promise<void>((r) => channel.once('drain', () => r()));
  }
  await channel.waitForConfirms();
  const confirmedAt = nowMs();
  console.log(`RESULT ${JSON.stringify({ startAt, confirmedAt, failed })}`);
  await connection.close();
}

if (role === 'consume') await consume();
else if (role === 'publish') await publish();
else {
  console.error('usage: amqp-baseline.ts consume|publish');
  process.exit(2);
}
