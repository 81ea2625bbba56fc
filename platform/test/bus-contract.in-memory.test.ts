import assert from 'node:assert/strict';
import { InMemoryBroker, InMemoryBus } from '../src/events/in-memory-bus.ts';
import type { Topology } from '../src/events/topology.ts';
import { waitFor } from '@bank/testkit';
import { contract, EXCHANGE, json, topology, type Harness } from './support/bus-contract.ts';

function inMemoryHarness(): Harness {
  let broker = new InMemoryBroker();
  return {
    name: 'InMemoryBus',
    setUp: async () => undefined,
    tearDown: async () => undefined,
    reset: async () => {
      broker = new InMemoryBroker();
    },
    newBus: async (options = {}) => {
      const bus = new InMemoryBus({ broker, ...options });
      await bus.declare(topology);
      return bus;
    },
    depth: async (queue) => broker.queueDepth(queue),
    takeAll: async (queue) =>
      broker.drain(queue).map((m) => ({
        body: m.body,
        routingKey: m.routingKey,
        headers: m.properties.headers,
        messageId: m.properties.messageId,
      })),
  };
}

contract(inMemoryHarness(), ({ track }) => {
  it('round-robins between competing consumers', async () => {
    const broker = new InMemoryBroker();
    const bus = track(new InMemoryBus({ broker }));
    await bus.declare(topology);
    const byConsumer: string[] = [];
    await bus.consume('log-service', async (d) => {
      byConsumer.push('a');
      await d.ack();
    });
    await bus.consume('log-service', async (d) => {
      byConsumer.push('b');
      await d.ack();
    });
    for (let i = 0; i < 4; i++) await bus.publish(EXCHANGE, 'account.created', json({ i }));
    await waitFor(() => byConsumer.length === 4, { what: 'four deliveries' });
    assert.deepEqual(byConsumer, ['a', 'b', 'a', 'b']);
  });

  it('copies bodies: a handler mutating its body changes no other copy', async () => {
    const bus = track(new InMemoryBus());
    await bus.declare(topology);
    const body = json({ v: 1 });
    const bodies: string[] = [];
    await bus.consume('log-service', async (d) => {
      d.body.fill(0x20);
      await d.ack();
    });
    await bus.publish(EXCHANGE, 'account.created', body);
    body.fill(0x21);
    await waitFor(() => bus.queueDepth('log-service') === 0, { what: 'log-service consumed' });
    await bus.consume('email-service', async (d) => {
      bodies.push(d.body.toString());
      await d.ack();
    });
    await waitFor(() => bodies.length === 1, { what: 'email delivery' });
    assert.deepEqual(bodies, ['{"v":1}']);
  });

  it('never delivers inside the publisher’s call stack', async () => {
    const bus = track(new InMemoryBus());
    await bus.declare(topology);
    let publishing = false;
    let deliveredWhilePublishing: boolean | undefined;
    await bus.consume('log-service', async (d) => {
      deliveredWhilePublishing = publishing;
      await d.ack();
    });
    publishing = true;
    const published = bus.publish(EXCHANGE, 'account.created', json({}));
    await published;
    publishing = false;
    await waitFor(() => deliveredWhilePublishing !== undefined, { what: 'the delivery' });
    assert.equal(deliveredWhilePublishing, false);
  });

  it('peeks and drains queues without consumers', async () => {
    const bus = track(new InMemoryBus());
    await bus.declare(topology);
    await bus.publish(EXCHANGE, 'account.created', json({ n: 1 }), { messageId: 'p1' });
    assert.equal(bus.queueDepth('log-service'), 1);
    assert.deepEqual(bus.peek('log-service').map((m) => m.properties.messageId), ['p1']);
    assert.equal(bus.queueDepth('log-service'), 1);
    assert.deepEqual(bus.drain('log-service').map((m) => m.properties.messageId), ['p1']);
    assert.equal(bus.queueDepth('log-service'), 0);
  });

  it('refuses to redeclare a queue with different arguments', async () => {
    const bus = track(new InMemoryBus());
    await bus.declare(topology);
    const changed: Topology = {
      exchanges: [],
      bindings: [],
      queues: [{ name: 'log-service', durable: true, exclusive: false, autoDelete: false, arguments: {} }],
    };
    await assert.rejects(bus.declare(changed), /PRECONDITION_FAILED/);
  });
});
