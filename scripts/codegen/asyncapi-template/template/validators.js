import { File } from '@asyncapi/generator-react-sdk';
import { buildModel } from '../lib/model.js';
import { header } from '../lib/typescript.js';

/** generated/events/src/validators.ts: ajv validators compiled once at module load. */
export default function Validators({ asyncapi, params }) {
  const model = buildModel(asyncapi);
  const names = model.schemas.map((s) => s.name);
  let out = header(params.specPath);
  out += "import { compileValidator, createEventAjv, type Validator } from '@bank/platform/events';\n";
  out += `import type {\n${names.map((n) => `  ${n},\n`).join('')}} from './types.ts';\n`;
  out += "import { schemas } from './schemas.ts';\n\n";
  out += '/** One strict ajv instance (with ajv-formats); every schema is compiled once, here. */\nconst ajv = createEventAjv();\n\n';
  for (const n of names) {
    out += `/** Validates a value against the ${n} schema; on failure \`errors\` names each failing field. */\n`;
    out += `export const validate${n}: Validator<${n}> = compileValidator<${n}>(ajv, schemas.${n});\n\n`;
    out += `/** Type guard over validate${n}. */\n`;
    out += `export function is${n}(value: unknown): value is ${n} {\n  return validate${n}(value).ok;\n}\n\n`;
  }
  out += '/** Message type (AMQP `type` property / routing key) → the validator of its payload. */\n';
  out += 'export const validatorsByMessageType = {\n';
  for (const m of model.messages) out += `  '${m.messageType}': validate${m.type},\n`;
  out += '} as const;\n';
  return <File name="validators.ts">{out}</File>;
}
