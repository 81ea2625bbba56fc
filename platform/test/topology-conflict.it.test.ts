import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { connect } from 'amqplib';
import { pino } from 'pino';
import { createTestVhost, type TestVhost, waitFor } from '@bank/testkit';
import { AmqpBus } from '../src/events/amqp-bus.ts';
import type { Delivery } from '../src/events/event-bus.ts';
import { ownedTopology } from '../src/events/topology.ts';
import { EXCHANGE, json, topology } from './support/bus-contract.ts';

function capturingLogger(lines: string[]) {
  return pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    }),
  );
}

describe('a queue that exists with other arguments (406 PRECONDITION_FAILED on declare)', function () {
  this.timeout(60_000);
  let vhost: TestVhost;
  const buses: AmqpBus[] = [];
  const newBus = async (owns: Parameters<typeof ownedTopology>[1], logs: string[] = []): Promise<AmqpBus> => {
    const bus = new AmqpBus({ url: vhost.url, logger: capturingLogger(logs), reconnect: { baseMs: 100, maxMs: 500 }, queues: { type: 'quorum', maxDeliveries: 20 } });
    buses.push(bus);
    await bus.connect(5_000);
    await bus.declare(ownedTopology(topology, owns));
    return bus;
  };

  before(async () => {
    vhost = await createTestVhost('declare-conflict');
  });
  after(async () => {
    await Promise.all(buses.map((b) => b.close()));
    await vhost?.delete();
  });

  it('logs one line naming the queue and the differing argument, reports it as not ready, and the other services keep publishing and consuming', async () => {
    // an older classic deployment of log-service's queue
    const raw = await connect(vhost.url);
    const channel = await raw.createChannel();
    await channel.assertQueue('log-service', { durable: true, arguments: { 'x-dead-letter-exchange': 'topic_exchange.dlx', 'x-dead-letter-routing-key': 'log-service' } });

    const logLines: string[] = [];
    const log = await newBus({ queues: ['log-service'], publishesTo: [] }, logLines);
    const bank = await newBus({ queues: ['bank-service.callback'], publishesTo: [EXCHANGE] });
    const email = await newBus({ queues: ['email-service'], publishesTo: [] });

    assert.equal(log.state(), 'connected', 'the connection stays up (no reconnect loop)');
    assert.equal(log.isReady(), false);
    const [problem, ...more] = log.problems();
    assert.deepEqual(more, []);
    assert.match(problem ?? '', /queue 'log-service' exists with other arguments: 'x-queue-type' differs/);
    const refusals = logLines.filter((l) => l.includes('broker refused a declaration'));
    assert.equal(refusals.length, 1, 'one log line');
    assert.match(refusals[0] ?? '', /queue 'log-service'.*'x-queue-type'/);
    assert.equal(bank.isReady(), true);
    assert.equal(email.isReady(), true);

    // the bank publishes, email-service consumes, and log-service's own bus still publishes
    const mailed: string[] = [];
    await email.consume('email-service', async (d: Delivery) => {
      mailed.push(d.properties.messageId);
      await d.ack();
    });
    await bank.publish(EXCHANGE, 'account.created', json({ n: 1 }), { messageId: 'from-bank' });
    await log.publish(EXCHANGE, 'account.created', json({ n: 2 }), { messageId: 'from-log' });
    await waitFor(() => mailed.length === 2, { what: 'both messages consumed by email-service' });
    assert.deepEqual(mailed.sort(), ['from-bank', 'from-log']);
    assert.equal((await channel.checkQueue('log-service')).messageCount, 2, 'the classic queue still gets its copies');

    // the operator moves the queue (here: deletes the empty-able old one); the bus declares it on its retry
    await channel.deleteQueue('log-service');
    await waitFor(() => log.isReady(), { what: 'log-service ready after the old queue is gone', timeoutMs: 10_000 });
    assert.deepEqual(log.problems(), []);
    assert.equal(logLines.filter((l) => l.includes('broker refused a declaration')).length, 1, 'still one line: retries do not repeat it');
    await raw.close();
  });
});
