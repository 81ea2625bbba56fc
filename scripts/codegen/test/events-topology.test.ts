import assert from 'node:assert/strict';
import { waitFor } from '@bank/testkit';
import { InMemoryBus } from '../../../platform/src/events/in-memory-bus.ts';
import { buildTopology, deadLetterQueueName, defaultEventNames, resolveEventNames, routingKeys } from '@bank/events';

const body = Buffer.from('{}');

describe('generated events topology', () => {
  it('uses the names of the spec by default', () => {
    assert.deepEqual(defaultEventNames, {
      exchange: 'topic_exchange',
      deadLetterExchange: 'topic_exchange.dlx',
      logServiceQueue: 'log-service',
      emailServiceQueue: 'email-service',
      bankCallbackQueue: 'bank-service.callback',
    });
    assert.deepEqual(routingKeys, {
      accountCreated: 'account.created',
      bankCreated: 'bank.created',
      clientCreated: 'client.created',
      cardCreated: 'card.created',
      userAccessChanged: 'user.access.changed',
    });
  });

  it('declares a durable topic exchange, a durable direct DLX, and durable queues dead-lettering into their DLQ', () => {
    const topology = buildTopology();
    assert.deepEqual(topology.exchanges, [
      { name: 'topic_exchange', type: 'topic', durable: true, autoDelete: false },
      { name: 'topic_exchange.dlx', type: 'direct', durable: true, autoDelete: false },
    ]);
    const queues = Object.fromEntries(topology.queues.map((q) => [q.name, q]));
    assert.deepEqual(Object.keys(queues).sort(), [
      'bank-service.callback',
      'bank-service.callback.dlq',
      'email-service',
      'email-service.dlq',
      'log-service',
      'log-service.dlq',
    ]);
    for (const q of topology.queues) assert.deepEqual([q.durable, q.exclusive, q.autoDelete], [true, false, false], q.name);
    assert.deepEqual(queues['log-service']?.arguments, {
      'x-dead-letter-exchange': 'topic_exchange.dlx',
      'x-dead-letter-routing-key': 'log-service.dlq',
    });
    assert.deepEqual(queues['bank-service.callback']?.arguments, {
      'x-dead-letter-exchange': 'topic_exchange.dlx',
      'x-dead-letter-routing-key': 'bank-service.callback.dlq',
    });
    assert.deepEqual(queues['email-service.dlq']?.arguments, {});
  });

  it('binds account.created and user.access.changed to the log-service queue and *.created and user.access.changed to the email-service queue', () => {
    assert.deepEqual(buildTopology().bindings, [
      { exchange: 'topic_exchange', queue: 'log-service', routingKey: 'account.created' },
      { exchange: 'topic_exchange', queue: 'log-service', routingKey: 'user.access.changed' },
      { exchange: 'topic_exchange', queue: 'email-service', routingKey: '*.created' },
      { exchange: 'topic_exchange', queue: 'email-service', routingKey: 'user.access.changed' },
      { exchange: 'topic_exchange.dlx', queue: 'log-service.dlq', routingKey: 'log-service.dlq' },
      { exchange: 'topic_exchange.dlx', queue: 'email-service.dlq', routingKey: 'email-service.dlq' },
      { exchange: 'topic_exchange.dlx', queue: 'bank-service.callback.dlq', routingKey: 'bank-service.callback.dlq' },
    ]);
  });

  it('routes account.created to both service queues and bank.created only to the email-service queue', async () => {
    const bus = new InMemoryBus();
    try {
      await bus.declare(buildTopology());
      await bus.publish('topic_exchange', routingKeys.accountCreated, body);
      assert.equal(bus.queueDepth('log-service'), 1);
      assert.equal(bus.queueDepth('email-service'), 1);
      await bus.publish('topic_exchange', routingKeys.bankCreated, body);
      await bus.publish('topic_exchange', routingKeys.clientCreated, body);
      await bus.publish('topic_exchange', routingKeys.cardCreated, body);
      assert.equal(bus.queueDepth('log-service'), 1);
      assert.equal(bus.queueDepth('email-service'), 4);
      assert.deepEqual(
        bus.drain('email-service').map((m) => m.routingKey),
        ['account.created', 'bank.created', 'client.created', 'card.created'],
      );
      assert.equal(bus.queueDepth('bank-service.callback'), 0);
      // user.access.changed reaches both (three words: *.created does not match it, its own binding does), once each
      await bus.publish('topic_exchange', routingKeys.userAccessChanged, body);
      assert.equal(bus.queueDepth('log-service'), 2);
      assert.equal(bus.queueDepth('email-service'), 1);
    } finally {
      await bus.close();
    }
  });

  it('follows configured names everywhere, deriving the dead-letter queue names from the queue names', () => {
    const topology = buildTopology({ exchange: 'ex', logServiceQueue: 'logs', deadLetterExchange: 'ex.dead' });
    assert.deepEqual(
      topology.exchanges.map((e) => e.name),
      ['ex', 'ex.dead'],
    );
    const logs = topology.queues.find((q) => q.name === 'logs');
    assert.deepEqual(logs?.arguments, { 'x-dead-letter-exchange': 'ex.dead', 'x-dead-letter-routing-key': 'logs.dlq' });
    assert.ok(topology.queues.some((q) => q.name === 'logs.dlq'));
    assert.ok(topology.queues.some((q) => q.name === 'email-service.dlq'), 'unconfigured names keep their defaults');
    assert.deepEqual(topology.bindings[0], { exchange: 'ex', queue: 'logs', routingKey: 'account.created' });
    assert.ok(topology.bindings.some((b) => b.exchange === 'ex.dead' && b.queue === 'logs.dlq' && b.routingKey === 'logs.dlq'));
    assert.equal(deadLetterQueueName('logs'), 'logs.dlq');
  });

  it('treats undefined names as unset', () => {
    assert.deepEqual(resolveEventNames({ exchange: undefined, emailServiceQueue: 'mails' }), { ...defaultEventNames, emailServiceQueue: 'mails' });
  });

  it('dead-letters a rejected message of a renamed queue into the renamed DLQ', async () => {
    const bus = new InMemoryBus();
    try {
      await bus.declare(buildTopology({ exchange: 'ex', deadLetterExchange: 'ex.dead', emailServiceQueue: 'mails' }));
      await bus.publish('ex', 'bank.created', body);
      const seen = new Promise<void>((resolve) => {
        void bus.consume('mails', async (d) => {
          await d.nack({ requeue: false });
          resolve();
        });
      });
      await seen;
      await waitFor(() => bus.queueDepth('mails.dlq') === 1, { what: 'the dead letter' });
      assert.equal(bus.queueDepth('mails'), 0);
    } finally {
      await bus.close();
    }
  });
});

