import { File } from '@asyncapi/generator-react-sdk';
import { buildModel, upperFirst } from '../lib/model.js';
import { header, jsdoc } from '../lib/typescript.js';

/** The props type of a send operation, and whether the caller must pass it. */
function sendProps(op) {
  const message = op.messages[0];
  const correlated = message.correlationIdLocation === '$message.header#/correlation_id';
  if (op.sendsReply) return { type: 'ReplyProperties', required: true };
  if (op.reply && op.reply.location) return { type: 'RequestProperties', required: true };
  if (correlated) return { type: 'CorrelatedProperties', required: true };
  return { type: 'OutgoingProperties', required: false };
}

function sendParams(op) {
  const message = op.messages[0];
  const props = sendProps(op);
  const target = op.sendsReply ? 'replyTo: string, ' : '';
  return `${target}payload: ${message.type}, props${props.required ? '' : '?'}: ${props.type}`;
}

function sendDoc(op) {
  const message = op.messages[0];
  const lines = [];
  if (op.summary) lines.push(op.summary);
  if (op.sendsReply) {
    lines.push(`Sends \`${message.messageType}\` to the queue \`replyTo\` (the request's \`reply_to\`) through the default exchange.`);
  } else {
    lines.push(`Publishes \`${message.messageType}\` to the topic exchange.`);
  }
  if (op.reply && op.reply.location) {
    const replies = op.reply.messages.map((m) => `\`${m.messageType}\``).join(', ');
    lines.push(`Expects ${replies} on \`props.replyTo\` (the channel \`${op.reply.channel}\`), correlated by \`props.correlationId\`.`);
  }
  return lines;
}

/** generated/events/src/operations.ts: one typed function per AsyncAPI operation. */
export default function Operations({ asyncapi, params }) {
  const model = buildModel(asyncapi);
  const sends = model.operations.filter((o) => o.action === 'send');
  const receives = model.operations.filter((o) => o.action === 'receive');
  const payloadTypes = [...new Set(model.operations.flatMap((o) => o.messages.map((m) => m.type)))].sort();
  const validators = [...new Set(model.operations.flatMap((o) => o.messages.map((m) => `validate${m.type}`)))].sort();

  let out = header(params.specPath);
  out += 'import {\n  consumeValidated,\n  encodeValidated,\n  route,\n  sendEncoded,\n';
  out += '  type ConsumeValidatedOptions,\n  type EncodedMessage,\n  type EventBus,\n  type MessageMeta,\n  type OutgoingProperties,\n  type Subscription,\n';
  out += "} from '@bank/platform/events';\n";
  out += `import type { ${payloadTypes.join(', ')} } from './types.ts';\n`;
  out += `import { ${validators.join(', ')} } from './validators.ts';\n`;
  out += "import { messageTypes, resolveEventNames, routingKeys, type EventNames } from './topology.ts';\n\n";

  out += '/** Properties of a message whose spec defines a correlation id (`$message.header#/correlation_id`). */\n';
  out += 'export type CorrelatedProperties = OutgoingProperties & { correlationId: string };\n\n';
  out += '/** Properties of a request that expects a reply on the queue `replyTo` (`$message.header#/reply_to`). */\n';
  out += 'export type RequestProperties = OutgoingProperties & { correlationId: string; replyTo: string };\n\n';
  out += '/** Properties of a reply: it carries the request\'s correlation id. */\n';
  out += "export type ReplyProperties = Omit<OutgoingProperties, 'replyTo'> & { correlationId: string };\n\n";

  // ------------------------------------------------------------------ handler interfaces
  for (const op of receives) {
    out += jsdoc([`Handlers of \`${op.id}\` (queue \`${op.address}\`): one per message the queue carries.`, 'Resolve to ack; throw PermanentMessageError to dead-letter at once; any other error is retried, then dead-lettered.'], '');
    out += `export interface ${upperFirst(op.id)}Handlers {\n`;
    for (const m of op.messages) {
      out += jsdoc([`\`${m.messageType}\`${m.summary ? ` — ${m.summary}` : ''}`], '  ');
      out += `  ${m.id}(payload: ${m.type}, meta: MessageMeta): Promise<void>;\n`;
    }
    out += '}\n\n';
  }

  // ------------------------------------------------------------------ encoders (for an outbox)
  out += '/** Validate and encode each outgoing message without sending it (e.g. to store it in an outbox). */\n';
  out += 'export interface EventEncoders {\n';
  for (const op of sends) {
    out += jsdoc([...sendDoc(op), 'Throws InvalidMessageError for a payload that fails its schema.'], '  ');
    out += `  ${op.id}(${sendParams(op)}): EncodedMessage;\n`;
  }
  out += '}\n\n';
  out += 'export function createEventEncoders(names: Partial<EventNames> = {}): EventEncoders {\n';
  out += '  const n = resolveEventNames(names);\n  return {\n';
  for (const op of sends) {
    const m = op.messages[0];
    if (op.sendsReply) {
      out += `    ${op.id}: (replyTo, payload, props) =>\n`;
      out += `      encodeValidated({ exchange: '', routingKey: replyTo, type: messageTypes.${m.id}, validate: validate${m.type}, payload, options: props }),\n`;
    } else {
      const ex = model.nameExpr.get(op.exchange);
      out += `    ${op.id}: (payload, props) =>\n`;
      out += `      encodeValidated({ exchange: ${ex}, routingKey: routingKeys.${m.id}, type: messageTypes.${m.id}, validate: validate${m.type}, payload, options: props }),\n`;
    }
  }
  out += '  };\n}\n\n';

  // ------------------------------------------------------------------ channels
  out += '/** Typed publishers and consumers for every operation of the spec, over one EventBus. */\n';
  out += 'export interface EventChannels {\n';
  for (const op of sends) {
    out += jsdoc([...sendDoc(op), 'Validates first: an invalid payload throws InvalidMessageError and sends nothing.', 'Resolves with the message id once the broker confirmed the message.'], '  ');
    out += `  ${op.id}(${sendParams(op)}): Promise<string>;\n`;
  }
  for (const op of receives) {
    const types = op.messages.map((m) => `\`${m.messageType}\``).join(', ');
    out += jsdoc([...(op.summary ? [op.summary] : []), `Consumes the queue \`${op.address}\` (${types}), validating every message.`], '  ');
    out += `  ${op.id}(handlers: ${upperFirst(op.id)}Handlers, options?: ConsumeValidatedOptions): Promise<Subscription>;\n`;
  }
  out += '}\n\n';
  out += 'export function createEventChannels(bus: EventBus, names: Partial<EventNames> = {}): EventChannels {\n';
  out += '  const n = resolveEventNames(names);\n  const encoders = createEventEncoders(n);\n';
  out += '  async function send(message: EncodedMessage): Promise<string> {\n    await sendEncoded(bus, message);\n    return message.options.messageId;\n  }\n';
  out += '  return {\n';
  for (const op of sends) {
    if (op.sendsReply) out += `    ${op.id}: async (replyTo, payload, props) => send(encoders.${op.id}(replyTo, payload, props)),\n`;
    else out += `    ${op.id}: async (payload, props) => send(encoders.${op.id}(payload, props)),\n`;
  }
  for (const op of receives) {
    out += `    ${op.id}: (handlers, options = {}) =>\n`;
    out += `      consumeValidated(bus, n.${op.queueKey}, {\n        ...options,\n        routes: {\n`;
    for (const m of op.messages) {
      out += `          [messageTypes.${m.id}]: route(validate${m.type}, (payload, meta) => handlers.${m.id}(payload, meta)),\n`;
    }
    out += '        },\n      }),\n';
  }
  out += '  };\n}\n';
  return <File name="operations.ts">{out}</File>;
}
