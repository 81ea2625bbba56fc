import assert from 'node:assert/strict';
import { createTestVhost, type TestVhost, waitFor } from '@bank/testkit';
import { AmqpBus } from '../src/events/amqp-bus.ts';
import type { Delivery } from '../src/events/event-bus.ts';
import { EXCHANGE, json, topology } from './support/bus-contract.ts';

/** The same vhost URL with another host name (two addresses of one broker stand in for two nodes). */
function withHost(url: string, host: string): string {
  const parsed = new URL(url);
  parsed.hostname = host;
  return parsed.toString();
}

describe('AmqpBus with several broker addresses (AMQP_URI list)', function () {
  this.timeout(60_000);
  let vhost: TestVhost;
  before(async () => {
    vhost = await createTestVhost('addresses');
  });
  after(async () => {
    await vhost?.delete();
  });

  it('connects to the address that answers when the first is dead, fails over to the next on connection loss, and re-declares and re-attaches its consumer', async () => {
    const dead = 'amqp://guest:guest@127.0.0.1:1/';
    const first = withHost(vhost.url, '127.0.0.1');
    const second = withHost(vhost.url, 'localhost');
    const bus = new AmqpBus({ url: `${dead}, ${first},${second}`, reconnect: { baseMs: 100, maxMs: 500 }, queues: { type: 'quorum', maxDeliveries: 20 } });
    try {
      await bus.connect(10_000);
      assert.match(bus.connectedTo() ?? '', /^127\.0\.0\.1:\d+\//, 'skipped the dead address');
      await bus.declare(topology);
      const got: string[] = [];
      await bus.consume('log-service', async (d: Delivery) => {
        got.push(d.properties.messageId);
        await d.ack();
      });
      await bus.publish(EXCHANGE, 'account.created', json({}), { messageId: 'before' });
      await waitFor(() => got.includes('before'), { what: 'the first message' });

      await vhost.closeConnections('node lost');
      await waitFor(() => bus.isReady() && bus.connectedTo()?.startsWith('localhost:') === true, { what: 'ready on the next address' });
      await bus.publish(EXCHANGE, 'account.created', json({}), { messageId: 'after' });
      await waitFor(() => got.includes('after'), { what: 'a message after the failover' });
      assert.deepEqual(got, ['before', 'after']);
    } finally {
      await bus.close();
    }
  });

  it('rejects an empty address list at construction', () => {
    assert.throws(() => new AmqpBus({ url: ' , ' }), /no broker address/);
  });
});
