import { File } from '@asyncapi/generator-react-sdk';
import { header } from '../lib/typescript.js';

/** generated/events/src/index.ts: the barrel (`@bank/events`). */
export default function Index({ params }) {
  let out = header(params.specPath);
  out += "export * from './types.ts';\n";
  out += "export * from './schemas.ts';\n";
  out += "export * from './validators.ts';\n";
  out += "export * from './topology.ts';\n";
  out += "export * from './operations.ts';\n";
  out += '// The platform pieces every user of the generated functions needs.\n';
  out += "export { InvalidMessageError, PermanentMessageError } from '@bank/platform/events';\n";
  out += "export type { ConsumeValidatedOptions, EncodedMessage, MessageMeta, OutgoingProperties, Subscription } from '@bank/platform/events';\n";
  return <File name="index.ts">{out}</File>;
}
