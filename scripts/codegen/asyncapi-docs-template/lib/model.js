/**
 * Reads the parsed AsyncAPI 3 document (parser-js v3 model API) into a plain, ordered model the
 * page components print from. Unlike the code template's model it enforces no conventions:
 * whatever the document holds is shown. Order is document order throughout (deterministic).
 */

/** Drop the parser's `x-parser-*` annotations; keep key order. Cycles become the string "[circular]". */
export function clean(value, seen = new Set()) {
  if (Array.isArray(value)) return value.map((v) => clean(v, seen));
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  const out = {};
  for (const [key, v] of Object.entries(value)) {
    if (!key.startsWith('x-parser-')) out[key] = clean(v, seen);
  }
  seen.delete(value);
  return out;
}

/** Every binding of a model as `{ protocol, version, value }`, in document order. */
function bindingsOf(model) {
  return model
    .bindings()
    .all()
    .map((b) => ({ protocol: b.protocol(), version: b.version(), value: clean(b.value()) }));
}

function amqpOf(model) {
  return bindingsOf(model).find((b) => b.protocol === 'amqp');
}

/** Specification extensions (`x-…`) other than the parser's, as `{ name, value }`. */
function extensionsOf(model) {
  return model
    .extensions()
    .all()
    .filter((e) => !e.id().startsWith('x-parser-'))
    .map((e) => ({ name: e.id(), value: clean(e.value()) }));
}

function ref(model, kind) {
  return { kind, id: model.id(), label: kind === 'channel' ? model.address() || model.id() : model.title() || model.name() || model.id() };
}

function schemaOf(schema) {
  if (!schema) return undefined;
  return { name: schema.id(), json: schema.json() };
}

function readInfo(asyncapi) {
  const info = asyncapi.info();
  const license = info.license();
  const contact = info.contact();
  return {
    title: info.title(),
    version: info.version(),
    id: info.id(),
    description: info.description() || '',
    asyncapiVersion: asyncapi.version(),
    defaultContentType: asyncapi.defaultContentType(),
    license: license ? { name: license.name(), url: license.url() } : undefined,
    contact: contact ? { name: contact.name(), url: contact.url(), email: contact.email() } : undefined,
  };
}

function readServers(asyncapi) {
  return asyncapi
    .servers()
    .all()
    .map((s) => ({
      id: s.id(),
      host: s.host(),
      pathname: s.pathname(),
      protocol: s.protocol(),
      protocolVersion: s.protocolVersion(),
      title: s.title(),
      description: s.description() || '',
      bindings: bindingsOf(s),
    }));
}

function readParameter(p) {
  const json = clean(p.json());
  return { id: p.id(), description: p.description() || '', enum: json.enum, default: json.default, location: json.location };
}

function readChannel(channel) {
  const extensions = extensionsOf(channel);
  const amqp = amqpOf(channel);
  return {
    id: channel.id(),
    address: channel.address(),
    title: channel.title() || '',
    summary: channel.summary() || '',
    description: channel.description() || '',
    servers: channel.servers().all().map((s) => s.id()),
    parameters: channel.parameters().all().map(readParameter),
    messages: channel.messages().all().map((m) => ref(m, 'message')),
    amqp,
    otherBindings: bindingsOf(channel).filter((b) => b !== amqp && b.protocol !== 'amqp'),
    xBindings: extensions.find((e) => e.name === 'x-bindings')?.value,
    deadLetter: extensions.find((e) => e.name === 'x-dead-letter')?.value,
    extensions: extensions.filter((e) => e.name !== 'x-bindings' && e.name !== 'x-dead-letter'),
  };
}

function readReply(reply) {
  if (!reply) return undefined;
  const address = reply.address();
  const channel = reply.channel();
  return {
    location: address ? address.location() : undefined,
    description: address ? address.description() || '' : '',
    channel: channel ? ref(channel, 'channel') : undefined,
    messages: reply.messages().all().map((m) => ref(m, 'message')),
  };
}

function readOperation(op) {
  return {
    id: op.id(),
    action: op.action(),
    title: op.title() || '',
    summary: op.summary() || '',
    description: op.description() || '',
    channels: op.channels().all().map((c) => ref(c, 'channel')),
    messages: op.messages().all().map((m) => ref(m, 'message')),
    bindings: bindingsOf(op),
    reply: readReply(op.reply()),
  };
}

function readMessage(message, defaultContentType) {
  const correlation = message.correlationId();
  return {
    id: message.id(),
    name: message.name() || '',
    title: message.title() || '',
    summary: message.summary() || '',
    description: message.description() || '',
    contentType: message.contentType() || defaultContentType || '',
    correlationId: correlation ? { location: correlation.location(), description: correlation.description() || '' } : undefined,
    headers: message.hasHeaders() ? schemaOf(message.headers()) : undefined,
    payload: message.hasPayload() ? schemaOf(message.payload()) : undefined,
    bindings: bindingsOf(message),
    examples: message
      .examples()
      .all()
      .map((e, i) => ({ name: e.name() || `example ${i + 1}`, summary: e.summary() || '', headers: clean(e.headers()), payload: clean(e.payload()) })),
  };
}

/**
 * The exchanges: those declared under `components.x-exchanges`, then any other exchange a
 * routing-key channel names, each with the channels that route through it, the queues bound to
 * it (`x-bindings`) and the queues that dead-letter into it (`x-dead-letter-exchange`).
 */
function readExchanges(asyncapi, channels) {
  const byName = new Map();
  const add = (spec, key) => {
    if (!spec || typeof spec.name !== 'string') return undefined;
    if (!byName.has(spec.name)) byName.set(spec.name, { name: spec.name, key, spec: clean(spec), routes: [], boundQueues: [], deadLetterFor: [] });
    return byName.get(spec.name);
  };
  const declared = asyncapi.components().extensions().get('x-exchanges');
  for (const [key, spec] of Object.entries(declared ? declared.value() || {} : {})) add(spec, key);
  for (const channel of channels) {
    const binding = channel.amqp && channel.amqp.value;
    if (binding && binding.is === 'routingKey') {
      add(binding.exchange)?.routes.push({ id: channel.id, address: channel.address, messages: channel.messages });
    }
    for (const b of Array.isArray(channel.xBindings) ? channel.xBindings : []) {
      byName.get(b.exchange)?.boundQueues.push({ id: channel.id, address: channel.address, routingKey: b.routingKey });
    }
    const args = binding && binding.queue && binding.queue['x-arguments'];
    if (args && byName.has(args['x-dead-letter-exchange'])) {
      byName.get(args['x-dead-letter-exchange']).deadLetterFor.push({ id: channel.id, address: channel.address, routingKey: args['x-dead-letter-routing-key'] });
    }
  }
  return [...byName.values()];
}

/** Which operations use a message (as message or reply message), by message id. */
function usage(operations) {
  const used = new Map();
  const note = (id, entry) => used.set(id, [...(used.get(id) || []), entry]);
  for (const op of operations) {
    for (const m of op.messages) note(m.id, { operation: op.id, action: op.action, reply: false });
    for (const m of op.reply ? op.reply.messages : []) note(m.id, { operation: op.id, action: op.action, reply: true });
  }
  return used;
}

const cache = new WeakMap();

/** The page model of a document (built once per document). */
export function buildDocsModel(asyncapi) {
  if (!cache.has(asyncapi)) cache.set(asyncapi, readModel(asyncapi));
  return cache.get(asyncapi);
}

function readModel(asyncapi) {
  const info = readInfo(asyncapi);
  const channels = asyncapi.channels().all().map(readChannel);
  const operations = asyncapi.operations().all().map(readOperation);
  // Component messages first (document order), then messages defined inline in channels.
  const seen = new Set();
  const messages = [...asyncapi.components().messages().all(), ...asyncapi.allMessages().all()]
    .filter((m) => !seen.has(m.id()) && seen.add(m.id()))
    .map((m) => readMessage(m, info.defaultContentType));
  const used = usage(operations);
  for (const m of messages) m.usedBy = used.get(m.id) || [];
  return { info, servers: readServers(asyncapi), exchanges: readExchanges(asyncapi, channels), channels, operations, messages };
}
