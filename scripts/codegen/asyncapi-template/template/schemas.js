import { File } from '@asyncapi/generator-react-sdk';
import { buildModel } from '../lib/model.js';
import { header, tsLiteral } from '../lib/typescript.js';

/** generated/events/src/schemas.ts: the component schemas as data (references inlined). */
export default function Schemas({ asyncapi, params }) {
  const model = buildModel(asyncapi);
  let out = header(params.specPath);
  out += '/** JSON schemas (draft-07) of the event payloads, from the spec\'s components.schemas with references inlined. */\n\n';
  for (const s of model.schemas) out += `export const ${s.name}Schema = ${tsLiteral(s.clean)} as const;\n\n`;
  out += '/** Every schema by its component name. */\nexport const schemas = {\n';
  for (const s of model.schemas) out += `  ${s.name}: ${s.name}Schema,\n`;
  out += '} as const;\n';
  return <File name="schemas.ts">{out}</File>;
}
