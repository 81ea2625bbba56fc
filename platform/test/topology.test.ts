import assert from 'node:assert/strict';
import { ownedTopology, withQueueSettings } from '../src/events/topology.ts';
import { DLX, EXCHANGE, topology } from './support/bus-contract.ts';

describe('topology: queue settings and ownership', () => {
  it('makes every durable queue a quorum queue and limits deliveries only where a DLX takes the message', () => {
    const quorum = withQueueSettings(topology, { type: 'quorum', maxDeliveries: 7 });
    const logQueue = quorum.queues.find((q) => q.name === 'log-service');
    const logDlq = quorum.queues.find((q) => q.name === 'log-service.dlq');
    assert.deepEqual(logQueue?.arguments, { 'x-dead-letter-exchange': DLX, 'x-dead-letter-routing-key': 'log-service', 'x-queue-type': 'quorum', 'x-delivery-limit': 7 });
    assert.deepEqual(logDlq?.arguments, { 'x-queue-type': 'quorum' });
    assert.equal(topology.queues.find((q) => q.name === 'log-service')?.arguments['x-queue-type'], undefined, 'the input is not changed');
  });

  it('leaves the arguments of a classic deployment as they were (no x-queue-type, no limit), and never makes an exclusive queue quorum', () => {
    assert.deepEqual(withQueueSettings(topology, { type: 'classic', maxDeliveries: 7 }), topology);
    const withReplyQueue = { ...topology, queues: [...topology.queues, { name: 'replies', durable: false, exclusive: true, autoDelete: true, arguments: {} }] };
    const quorum = withQueueSettings(withReplyQueue, { type: 'quorum', maxDeliveries: 7 });
    assert.deepEqual(quorum.queues.find((q) => q.name === 'replies')?.arguments, {});
  });

  it('gives a consuming service its queue, its DLQ, their bindings and the exchanges they bind from, and nothing of the other services', () => {
    const owned = ownedTopology(topology, { queues: ['log-service'], publishesTo: [] });
    assert.deepEqual(owned.queues.map((q) => q.name), ['log-service', 'log-service.dlq']);
    assert.deepEqual(owned.bindings, [
      { exchange: EXCHANGE, queue: 'log-service', routingKey: 'account.created' },
      { exchange: DLX, queue: 'log-service.dlq', routingKey: 'log-service' },
    ]);
    assert.deepEqual(owned.exchanges.map((e) => e.name).sort(), [DLX, EXCHANGE].sort());
  });

  it('gives the publishing service the exchange it publishes to and only its own callback queue', () => {
    const owned = ownedTopology(topology, { queues: ['bank-service.callback'], publishesTo: [EXCHANGE] });
    assert.deepEqual(owned.queues.map((q) => q.name), ['bank-service.callback', 'bank-service.callback.dlq']);
    assert.deepEqual(owned.bindings, [{ exchange: DLX, queue: 'bank-service.callback.dlq', routingKey: 'bank-service.callback' }]);
    assert.deepEqual(owned.exchanges.map((e) => e.name).sort(), [DLX, EXCHANGE].sort());
  });
});
