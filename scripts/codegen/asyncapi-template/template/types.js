import { File } from '@asyncapi/generator-react-sdk';
import { buildModel } from '../lib/model.js';
import { declaration, header } from '../lib/typescript.js';

/** generated/events/src/types.ts: one declaration per component schema, plus message → payload maps. */
export default function Types({ asyncapi, params }) {
  const model = buildModel(asyncapi);
  const ctx = { schemaNames: model.schemaNames };
  let out = header(params.specPath);
  out += `/**\n * Payload types of ${model.title} ${model.version}.\n * Property names are as on the wire (snake_case); optional members are exactly the spec's non-required ones.\n */\n\n`;
  out += model.schemas.map((s) => declaration(s.name, s.json, ctx)).join('\n');
  out += '\n/** Message name → its payload type. */\nexport interface EventPayloads {\n';
  for (const m of model.messages) out += `  /** \`${m.messageType}\` */\n  ${m.id}: ${m.type};\n`;
  out += '}\n';
  out += '\n/** Message type (the AMQP `type` property / routing key) → its payload type. */\nexport interface EventPayloadsByType {\n';
  for (const m of model.messages) out += `  '${m.messageType}': ${m.type};\n`;
  out += '}\n';
  return <File name="types.ts">{out}</File>;
}
