import assert from 'node:assert/strict';
import { InMemoryBus } from '../src/events/in-memory-bus.ts';
import type { Topology } from '../src/events/topology.ts';
import {
  compileValidator,
  consumeValidated,
  createEventAjv,
  DependencyUnavailableError,
  route,
  type ConsumeFailure,
  type MessageMeta,
} from '../src/events/typed-messages.ts';

const QUEUE = 'work';
const DLQ = 'work.dlq';
const topology: Topology = {
  exchanges: [
    { name: 'x', type: 'topic', durable: true, autoDelete: false },
    { name: 'x.dlx', type: 'direct', durable: true, autoDelete: false },
  ],
  queues: [
    { name: QUEUE, durable: true, exclusive: false, autoDelete: false, arguments: { 'x-dead-letter-exchange': 'x.dlx', 'x-dead-letter-routing-key': QUEUE } },
    { name: DLQ, durable: true, exclusive: false, autoDelete: false, arguments: {} },
  ],
  bindings: [
    { exchange: 'x', queue: QUEUE, routingKey: 'job.created' },
    { exchange: 'x.dlx', queue: DLQ, routingKey: QUEUE },
  ],
};
const validate = compileValidator<{ n: number }>(createEventAjv(), {
  type: 'object',
  properties: { n: { type: 'integer' } },
  required: ['n'],
  additionalProperties: false,
});

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('consumer: a dependency outage is not poison (DependencyUnavailableError)', () => {
  let bus: InMemoryBus;
  let failures: ConsumeFailure[];
  let calls: Pick<MessageMeta, 'attempt' | 'redelivered'>[];

  beforeEach(async () => {
    bus = new InMemoryBus();
    await bus.declare(topology);
    failures = [];
    calls = [];
  });
  afterEach(async () => {
    await bus.close();
  });

  const publish = () => bus.publish('x', 'job.created', Buffer.from(JSON.stringify({ n: 1 })), { messageId: 'm-1' });

  function consume(handle: (meta: MessageMeta) => Promise<void>, maxAttempts = 3) {
    return consumeValidated(bus, QUEUE, {
      routes: { 'job.created': route(validate, (_payload, meta) => (calls.push({ attempt: meta.attempt, redelivered: meta.redelivered }), handle(meta))) },
      maxAttempts,
      baseMs: 1,
      maxMs: 4,
      onError: (f) => failures.push(f),
    });
  }

  it('keeps the message in hand through far more dependency failures than the attempt budget, then acks it', async () => {
    let down = 25;
    await consume(async () => {
      if (down-- > 0) throw new DependencyUnavailableError('smtp', 'SMTP server unavailable: connect ECONNREFUSED');
    });
    await publish();
    await waitFor(() => calls.length === 26, '26 calls');
    await waitFor(() => bus.queueDepth(QUEUE) === 0, 'the ack');
    assert.equal(bus.queueDepth(DLQ), 0, 'nothing dead-lettered although maxAttempts is 3');
    assert.ok(calls.every((c) => c.attempt === 0), 'dependency waits do not count as attempts');
    assert.ok(calls.every((c) => !c.redelivered), 'the message never went back to the broker');
    assert.equal(failures.length, 25);
    assert.ok(failures.every((f) => f.kind === 'dependency-unavailable' && f.dependency === 'smtp' && /ECONNREFUSED/.test(f.reason)));
  });

  it('still dead-letters a message whose handler keeps failing for other reasons, counting only those failures', async () => {
    let call = 0;
    await consume(async () => {
      call++;
      if (call % 2 === 1) throw new DependencyUnavailableError('smtp', 'down');
      throw new Error(`rejected (${call})`);
    });
    await publish();
    await waitFor(() => bus.queueDepth(DLQ) === 1, 'the dead letter');
    assert.deepEqual(
      failures.map((f) => f.kind),
      ['dependency-unavailable', 'transient', 'dependency-unavailable', 'transient', 'dependency-unavailable', 'transient', 'exhausted'],
    );
    assert.deepEqual(
      calls.map((c) => c.attempt),
      [0, 0, 1, 1, 2, 2],
    );
    assert.equal(bus.peek(DLQ)[0]?.properties.headers['x-death-reason'], 'handler failed after 3 attempt(s): rejected (6)');
  });

  it('returns a waiting message to the queue when the consumer is cancelled during the outage', async () => {
    const subscription = await consume(async () => {
      throw new DependencyUnavailableError('smtp', 'down');
    });
    await publish();
    await waitFor(() => failures.length >= 3, 'a few waits');
    await subscription.cancel();
    assert.equal(bus.queueDepth(QUEUE), 1, 'back in the queue, not acked');
    assert.equal(bus.queueDepth(DLQ), 0);
  });
});
