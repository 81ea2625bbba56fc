/**
 * Reads the parsed AsyncAPI 3 document (parser-js v3 model API) into a plain, ordered model the
 * templates print from. It checks the conventions the generated code relies on and throws a
 * clear error when the spec breaks one.
 *
 * Conventions (see specs/events.asyncapi.yaml):
 * - routing-key channels (`bindings.amqp.is: routingKey`) name their exchange in the binding;
 * - queue channels (`is: queue`) carry `x-bindings: [{exchange, routingKey}]`, consumer queues
 *   also `x-dead-letter: {exchange, queue}` and queue arguments in `bindings.amqp.queue.x-arguments`;
 * - every message has `bindings.amqp.messageType` (the AMQP `type` property = routing key) and a
 *   payload that is a named component schema.
 */

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function fail(message) {
  throw new Error(`events.asyncapi: ${message}`);
}

function ident(value, what) {
  if (typeof value !== 'string' || !IDENT.test(value)) fail(`${what} "${value}" is not a valid identifier`);
  return value;
}

function ext(model, name) {
  const found = model.extensions().get(name);
  return found ? found.value() : undefined;
}

function amqpBinding(model) {
  const found = model.bindings().get('amqp');
  return found ? found.value() : undefined;
}

/** Drop the parser's `x-parser-*` annotations; keep key order (determinism). */
export function stripParserKeys(value, seen = new Set()) {
  if (Array.isArray(value)) return value.map((v) => stripParserKeys(v, seen));
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) fail('circular schemas are not supported');
  seen.add(value);
  const out = {};
  for (const [key, v] of Object.entries(value)) {
    if (key.startsWith('x-parser-')) continue;
    out[key] = stripParserKeys(v, seen);
  }
  seen.delete(value);
  return out;
}

export function upperFirst(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const cache = new WeakMap();

/** The model of a document (built once per document, shared by the template files). */
export function buildModel(asyncapi) {
  if (!cache.has(asyncapi)) cache.set(asyncapi, readModel(asyncapi));
  return cache.get(asyncapi);
}

function readModel(asyncapi) {
  // ---------------------------------------------------------------- schemas (component order)
  const schemas = asyncapi
    .components()
    .schemas()
    .all()
    .map((schema) => ({ name: ident(schema.id(), 'schema name'), json: schema.json() }));
  const schemaNames = new Set(schemas.map((s) => s.name));

  // ---------------------------------------------------------------- channels
  const exchanges = new Map(); // name -> spec
  const routingKeyChannels = [];
  const queueChannels = [];
  for (const channel of asyncapi.channels().all()) {
    const id = ident(channel.id(), 'channel id');
    const binding = amqpBinding(channel);
    if (!binding) fail(`channel ${id} has no amqp binding`);
    if (binding.is === 'queue') {
      const q = binding.queue || {};
      if (q.name !== channel.address()) fail(`queue channel ${id}: address "${channel.address()}" differs from queue name "${q.name}"`);
      const bindings = ext(channel, 'x-bindings') || [];
      if (!Array.isArray(bindings)) fail(`channel ${id}: x-bindings must be a list`);
      queueChannels.push({
        id,
        name: q.name,
        durable: q.durable !== false,
        exclusive: q.exclusive === true,
        autoDelete: q.autoDelete === true,
        arguments: q['x-arguments'] || {},
        bindings: bindings.map((b) => ({ exchange: String(b.exchange), routingKey: String(b.routingKey) })),
        deadLetter: ext(channel, 'x-dead-letter'),
        messages: channel.messages().all().map((m) => m.id()),
      });
    } else {
      const ex = binding.exchange;
      if (!ex || !ex.name) fail(`routing-key channel ${id} names no exchange`);
      const known = exchanges.get(ex.name);
      const spec = { name: ex.name, type: ex.type || 'topic', durable: ex.durable !== false, autoDelete: ex.autoDelete === true };
      if (!['topic', 'direct', 'fanout'].includes(spec.type)) fail(`exchange ${ex.name}: unsupported type ${spec.type}`);
      if (known && JSON.stringify(known) !== JSON.stringify(spec)) fail(`exchange ${ex.name} is described differently by two channels`);
      exchanges.set(ex.name, spec);
      routingKeyChannels.push({ id, address: channel.address(), exchange: ex.name, messages: channel.messages().all().map((m) => m.id()) });
    }
  }

  // ---------------------------------------------------------------- exchanges: the main one and the DLX
  const consumerQueues = queueChannels.filter((q) => q.deadLetter);
  const dlxNames = [...new Set(consumerQueues.map((q) => q.deadLetter.exchange))];
  if (dlxNames.length !== 1) fail(`expected exactly one dead-letter exchange, found ${dlxNames.length}`);
  const deadLetterExchange = exchanges.get(dlxNames[0]) || fail(`dead-letter exchange ${dlxNames[0]} is not described by a channel`);
  const mainNames = [...new Set(routingKeyChannels.filter((c) => c.messages.length > 0).map((c) => c.exchange))];
  if (mainNames.length !== 1) fail(`expected exactly one exchange carrying messages, found ${mainNames.length}`);
  const exchange = exchanges.get(mainNames[0]);

  // ---------------------------------------------------------------- dead-letter queues: `<queue><suffix>`
  let dlqSuffix;
  const deadLetterQueues = [];
  for (const q of consumerQueues) {
    const dlqName = q.deadLetter.queue;
    if (typeof dlqName !== 'string' || !dlqName.startsWith(q.name)) fail(`dead-letter queue of ${q.name} must be named <queue><suffix>`);
    const suffix = dlqName.slice(q.name.length);
    if (dlqSuffix !== undefined && suffix !== dlqSuffix) fail('all dead-letter queues must share one suffix');
    dlqSuffix = suffix;
    const dlq = queueChannels.find((c) => c.name === dlqName) || fail(`dead-letter queue ${dlqName} is not described by a channel`);
    const args = q.arguments;
    if (args['x-dead-letter-exchange'] !== q.deadLetter.exchange || args['x-dead-letter-routing-key'] !== dlqName) {
      fail(`queue ${q.name}: x-arguments must match x-dead-letter`);
    }
    if (!dlq.bindings.some((b) => b.exchange === q.deadLetter.exchange && b.routingKey === dlqName)) {
      fail(`dead-letter queue ${dlqName} must be bound to ${q.deadLetter.exchange} with routing key ${dlqName}`);
    }
    deadLetterQueues.push({ ...dlq, of: q.id });
  }
  const unclassified = queueChannels.filter((q) => !q.deadLetter && !deadLetterQueues.some((d) => d.id === q.id));
  if (unclassified.length > 0) fail(`queue channels without x-dead-letter: ${unclassified.map((q) => q.id).join(', ')}`);

  // Configurable names: EventNames key -> default value, and spec name -> TS expression.
  const names = [
    { key: 'exchange', value: exchange.name, doc: `The topic exchange every event is published to (default \`${exchange.name}\`).` },
    {
      key: 'deadLetterExchange',
      value: deadLetterExchange.name,
      doc: `The direct exchange rejected messages are dead-lettered to (default \`${deadLetterExchange.name}\`).`,
    },
    ...consumerQueues.map((q) => ({ key: q.id, value: q.name, doc: `Queue of the channel \`${q.id}\` (default \`${q.name}\`).` })),
  ];
  for (const n of names) ident(n.key, 'name key');
  const nameExpr = new Map();
  nameExpr.set(exchange.name, 'n.exchange');
  nameExpr.set(deadLetterExchange.name, 'n.deadLetterExchange');
  for (const q of consumerQueues) {
    nameExpr.set(q.name, `n.${q.id}`);
    nameExpr.set(q.deadLetter.queue, `deadLetterQueueName(n.${q.id})`);
  }
  for (const q of queueChannels) {
    for (const b of q.bindings) if (!nameExpr.has(b.exchange)) fail(`queue ${q.name} is bound to an unknown exchange ${b.exchange}`);
  }

  // ---------------------------------------------------------------- messages (first-use order over operations)
  const messages = new Map();
  function messageOf(msg) {
    const id = ident(msg.id(), 'message id');
    if (messages.has(id)) return messages.get(id);
    const payload = msg.payload();
    if (!payload || !schemaNames.has(payload.id())) fail(`message ${id}: the payload must be a component schema`);
    const binding = amqpBinding(msg) || {};
    if (typeof binding.messageType !== 'string') fail(`message ${id} has no bindings.amqp.messageType`);
    const correlation = msg.correlationId();
    const model = {
      id,
      pascal: upperFirst(id),
      type: payload.id(),
      messageType: binding.messageType,
      summary: msg.summary() || msg.title() || '',
      correlationIdLocation: correlation ? correlation.location() : undefined,
    };
    messages.set(id, model);
    return model;
  }

  // ---------------------------------------------------------------- operations (document order)
  const operations = asyncapi
    .operations()
    .all()
    .map((op) => {
      const id = ident(op.id(), 'operation id');
      const channels = op.channels().all();
      if (channels.length !== 1) fail(`operation ${id} must have exactly one channel`);
      const channel = channels[0];
      const queue = queueChannels.find((q) => q.id === channel.id());
      const rk = routingKeyChannels.find((c) => c.id === channel.id());
      const msgs = op.messages().all().map(messageOf);
      if (msgs.length === 0) fail(`operation ${id} has no messages`);
      const reply = op.reply();
      let replyModel;
      if (reply) {
        const address = reply.address();
        replyModel = {
          location: address ? address.location() : undefined,
          channel: reply.channel() ? reply.channel().id() : undefined,
          messages: reply.messages().all().map(messageOf),
        };
        if (replyModel.location !== undefined && replyModel.location !== '$message.header#/reply_to') {
          fail(`operation ${id}: only a reply address at $message.header#/reply_to is supported`);
        }
      }
      return {
        id,
        action: op.action(),
        summary: op.summary() || op.title() || '',
        description: op.description() || '',
        channelId: channel.id(),
        kind: queue ? 'queue' : 'routingKey',
        address: queue ? queue.name : rk.address,
        exchange: rk ? rk.exchange : undefined,
        messages: msgs,
        reply: replyModel,
      };
    });

  // A send to a queue that is some operation's dynamic reply target goes to the request's reply_to.
  const replyChannels = new Set(operations.filter((o) => o.reply && o.reply.location).map((o) => o.reply.channel));
  for (const op of operations) {
    if (op.action === 'send') {
      if (op.messages.length !== 1) fail(`send operation ${op.id} must have exactly one message`);
      op.sendsReply = op.kind === 'queue' && replyChannels.has(op.channelId);
      if (op.kind === 'queue' && !op.sendsReply) fail(`send operation ${op.id} on a queue must be a reply`);
    } else if (op.kind !== 'queue') {
      fail(`receive operation ${op.id} must be on a queue channel`);
    } else {
      const q = consumerQueues.find((c) => c.id === op.channelId) || fail(`receive operation ${op.id}: queue without x-dead-letter`);
      op.queueKey = q.id;
      const types = op.messages.map((m) => m.messageType);
      if (new Set(types).size !== types.length) fail(`receive operation ${op.id} has two messages of one type`);
    }
  }

  // Component order where the message is a component, then first use.
  const componentOrder = asyncapi.components().messages().all().map((m) => m.id());
  const position = (id) => (componentOrder.includes(id) ? componentOrder.indexOf(id) : componentOrder.length);
  const orderedMessages = [...messages.values()].map((m, i) => ({ m, i })).sort((a, b) => position(a.m.id) - position(b.m.id) || a.i - b.i).map((x) => x.m);
  return {
    title: asyncapi.info().title(),
    version: asyncapi.info().version(),
    schemas: schemas.map((s) => ({ name: s.name, json: s.json, clean: stripParserKeys(s.json) })),
    schemaNames,
    exchange,
    deadLetterExchange,
    dlqSuffix: dlqSuffix === undefined ? '.dlq' : dlqSuffix,
    consumerQueues,
    deadLetterQueues,
    names,
    nameExpr,
    routingKeyChannels,
    messages: orderedMessages,
    operations,
  };
}

