/**
 * Classified changes between two AsyncAPI 3 documents.
 *
 * @asyncapi/diff (0.5.0, the first release with AsyncAPI 3 support) compares the parsed,
 * dereferenced documents and classifies channels, operations, servers and messages. Its v3
 * standard has no rule below a message's `payload` or `headers`, so every change inside a
 * message schema comes out `unclassified` — removing a required field and adding an optional one
 * alike (measured; see README "Breaking-change gate"). Those changes are therefore classified
 * per message with api-smart-diff's JSON Schema comparison (the schema-rules.ts corrections
 * included), in the direction of a consumer that validates messages of the released contract:
 * what such a consumer must still accept may not narrow. Everything else keeps @asyncapi/diff's
 * classification; what it leaves unclassified counts as breaking.
 */
import { diff as asyncApiDiff, type DiffOutputItem, type JSONOutput } from '@asyncapi/diff';
import { Parser } from '@asyncapi/parser';
import { apiCompare } from 'api-smart-diff';
import type { ContractChange } from './contract-change.ts';
import { describeDiff } from './diff-text.ts';
import { classifySchemaDiff, nodeAt } from './schema-rules.ts';

type Json = Record<string, unknown>;

/** One parser for every document: a new one compiles its JSON-schema validators again. */
let parser: Parser | undefined;
/** Documents already parsed, by their text: the gate and its tests compare the same released documents many times. */
const parsed = new Map<string, Promise<Json>>();

/** Parse, validate and dereference; the parser's own `x-parser-*` bookkeeping is removed. */
export function parseAsyncApi(source: string, label: string): Promise<Json> {
  let result = parsed.get(source);
  if (result === undefined) {
    result = parseOnce(source, label);
    parsed.set(source, result);
    result.catch(() => parsed.delete(source));
  }
  // a copy: callers may change what they get
  return result.then((document) => structuredClone(document));
}

async function parseOnce(source: string, label: string): Promise<Json> {
  const { document, diagnostics } = await (parser ??= new Parser()).parse(source);
  if (!document) {
    const errors = diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('.')}: ${d.message}`);
    throw new Error(`${label} is not a valid AsyncAPI document:\n  ${errors.join('\n  ')}`);
  }
  return withoutParserKeys(document.json()) as Json;
}

function withoutParserKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutParserKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith('x-parser-'))
      .map(([key, v]) => [key, withoutParserKeys(v)]),
  );
}

/**
 * Pointers that are copies of what is reported elsewhere: dereferenced components (seen where they
 * are used), the channel and messages an operation embeds (seen under /channels), and the inside of
 * message schemas (classified per message below).
 */
const COPY_POINTERS = [
  /^\/components\/(schemas|messages|messageTraits|operationTraits|channels|operations|replies|replyAddresses|parameters|correlationIds|servers|serverVariables|securitySchemes|externalDocs|tags|serverBindings|channelBindings|operationBindings|messageBindings)(\/|$)/,
  /^\/operations\/[^/]+\/(reply\/)?messages\/\d+\//,
  /^\/operations\/[^/]+\/(reply\/)?channel\/messages\//,
  /\/messages\/[^/]+\/(payload|headers)(\/|$)/,
];

/** Documentation only: document metadata, and texts, examples and tags anywhere outside message schemas. */
const ANNOTATION_POINTER = /^\/info(\/|$)|\/(description|summary|title|examples|externalDocs|tags)(\/|$)/;

function describeDocumentChange(change: DiffOutputItem): string {
  const verb = { add: 'Added', remove: 'Removed', edit: 'Changed' }[change.action];
  const scalar = (v: unknown) => (typeof v === 'object' && v !== null ? undefined : JSON.stringify(v));
  const before = scalar(change.before);
  const after = scalar(change.after);
  if (change.action === 'edit' && before !== undefined && after !== undefined) return `[${verb}] ${before} → ${after}`;
  return `[${verb}] ${change.path.split('/').pop() ?? change.path}`;
}

function documentChanges(before: Json, after: Json): ContractChange[] {
  const output = asyncApiDiff(before, after, { outputType: 'json' }).getOutput() as JSONOutput;
  return output.changes
    .filter((change) => !COPY_POINTERS.some((pattern) => pattern.test(change.path)))
    .map((change): ContractChange => {
      const base = { location: change.path, pointer: '', description: describeDocumentChange(change) };
      if (ANNOTATION_POINTER.test(change.path)) return { ...base, level: 'annotation' };
      if (change.type === 'non-breaking') return { ...base, level: 'non-breaking' };
      if (change.type === 'breaking') return { ...base, level: 'breaking' };
      return { ...base, level: 'breaking', note: 'unclassified by @asyncapi/diff: treated as breaking' };
    });
}

/** message key → its payload and headers schemas (the first channel that carries it). */
function messageSchemas(document: Json): Map<string, { payload?: unknown; headers?: unknown }> {
  const messages = new Map<string, { payload?: unknown; headers?: unknown }>();
  const channels = (document.channels ?? {}) as Record<string, { messages?: Record<string, Json> }>;
  for (const channel of Object.values(channels)) {
    for (const [key, message] of Object.entries(channel.messages ?? {})) {
      if (!messages.has(key)) messages.set(key, { payload: message.payload, headers: message.headers });
    }
  }
  return messages;
}

function schemaChanges(before: Json, after: Json): ContractChange[] {
  const changes: ContractChange[] = [];
  const beforeMessages = messageSchemas(before);
  for (const [key, afterMessage] of messageSchemas(after)) {
    const beforeMessage = beforeMessages.get(key);
    if (!beforeMessage) continue; // a new message is reported by @asyncapi/diff
    for (const part of ['payload', 'headers'] as const) {
      const b = beforeMessage[part];
      const a = afterMessage[part];
      if (b === undefined && a === undefined) continue;
      const { diffs } = apiCompare(structuredClone(b ?? {}), structuredClone(a ?? {}));
      for (const d of diffs) {
        const { level, note } = classifySchemaDiff(d, 'input', (path) => nodeAt(a, path));
        changes.push({
          level,
          location: `message ${key} ${part}`,
          pointer: d.path.join('/'),
          description: describeDiff(d),
          ...(note ? { note } : {}),
        });
      }
    }
  }
  return changes;
}

/** Every change from `beforeSource` to `afterSource` (AsyncAPI 3 YAML or JSON), classified. */
export async function diffAsyncApi(beforeSource: string, afterSource: string): Promise<ContractChange[]> {
  const [before, after] = await Promise.all([parseAsyncApi(beforeSource, 'the released document'), parseAsyncApi(afterSource, 'the current document')]);
  return [...documentChanges(before, after), ...schemaChanges(before, after)];
}
