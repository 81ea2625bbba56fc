import { File } from '@asyncapi/generator-react-sdk';
import { buildModel } from '../lib/model.js';
import { header, quote, propertyKey } from '../lib/typescript.js';

function exchangeEntry(expr, spec) {
  return `      { name: ${expr}, type: ${quote(spec.type)}, durable: ${spec.durable}, autoDelete: ${spec.autoDelete} },\n`;
}

function queueEntry(expr, q, args) {
  const argText = args.length === 0 ? '{}' : `{\n${args.map((a) => `          ${a},\n`).join('')}        }`;
  return `      {\n        name: ${expr},\n        durable: ${q.durable},\n        exclusive: ${q.exclusive},\n        autoDelete: ${q.autoDelete},\n        arguments: ${argText},\n      },\n`;
}

/** generated/events/src/topology.ts: configurable names, routing keys and the broker topology as data. */
export default function TopologyFile({ asyncapi, params }) {
  const model = buildModel(asyncapi);
  const expr = (name) => model.nameExpr.get(name) || quote(name);
  const value = (v) => (typeof v === 'string' ? expr(v) : JSON.stringify(v));
  let out = header(params.specPath);
  out += "import type { Topology } from '@bank/platform/events';\n\n";

  out += '/** Exchange and queue names. All are configurable; dead-letter queue names follow the queue names. */\n';
  out += 'export interface EventNames {\n';
  for (const n of model.names) out += `  /** ${n.doc} */\n  ${n.key}: string;\n`;
  out += '}\n\n';
  out += '/** The names the spec uses. */\nexport const defaultEventNames: Readonly<EventNames> = Object.freeze({\n';
  for (const n of model.names) out += `  ${n.key}: ${quote(n.value)},\n`;
  out += '});\n\n';
  out += '/** Fill unset (or undefined) names with the defaults. */\n';
  out += 'export function resolveEventNames(names: Partial<EventNames> = {}): EventNames {\n  return {\n';
  for (const n of model.names) out += `    ${n.key}: names.${n.key} ?? defaultEventNames.${n.key},\n`;
  out += '  };\n}\n\n';
  out += `/** Every consumer queue dead-letters into \`<queue>${model.dlqSuffix}\`. */\n`;
  out += `export const deadLetterQueueSuffix = ${quote(model.dlqSuffix)};\n\n`;
  out += 'export function deadLetterQueueName(queue: string): string {\n  return `${queue}${deadLetterQueueSuffix}`;\n}\n\n';

  out += '/** Routing key of each event published to the topic exchange, by message name. */\n';
  out += 'export const routingKeys = {\n';
  for (const c of model.routingKeyChannels.filter((ch) => ch.exchange === model.exchange.name)) {
    for (const id of c.messages) out += `  ${propertyKey(id)}: ${quote(c.address)},\n`;
  }
  out += '} as const;\n\n';
  out += '/** AMQP `type` property of each message, by message name (equal to the routing key for events). */\n';
  out += 'export const messageTypes = {\n';
  for (const m of model.messages) out += `  ${m.id}: ${quote(m.messageType)},\n`;
  out += '} as const;\n\n';

  out += '/**\n * Exchanges, queues (with their dead-letter arguments), bindings, the dead-letter exchange and\n * the dead-letter queues, for the given names.\n */\n';
  out += 'export function buildTopology(names: Partial<EventNames> = {}): Topology {\n';
  out += '  const n = resolveEventNames(names);\n  return {\n    exchanges: [\n';
  out += exchangeEntry('n.exchange', model.exchange);
  out += exchangeEntry('n.deadLetterExchange', model.deadLetterExchange);
  out += '    ],\n    queues: [\n';
  for (const q of model.consumerQueues) {
    const args = Object.entries(q.arguments).map(([k, v]) => `${quote(k)}: ${value(v)}`);
    out += queueEntry(expr(q.name), q, args);
  }
  for (const q of model.deadLetterQueues) {
    const args = Object.entries(q.arguments).map(([k, v]) => `${quote(k)}: ${value(v)}`);
    out += queueEntry(expr(q.name), q, args);
  }
  out += '    ],\n    bindings: [\n';
  for (const q of [...model.consumerQueues, ...model.deadLetterQueues]) {
    for (const b of q.bindings) {
      out += `      { exchange: ${expr(b.exchange)}, queue: ${expr(q.name)}, routingKey: ${value(b.routingKey)} },\n`;
    }
  }
  out += '    ],\n  };\n}\n';
  return <File name="topology.ts">{out}</File>;
}
