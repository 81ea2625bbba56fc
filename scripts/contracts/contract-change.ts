/**
 * One classified difference between a released contract and the current one, whichever tool
 * found it (api-smart-diff for OpenAPI and for message schemas, @asyncapi/diff for the rest of
 * the AsyncAPI document).
 */

/**
 * - `breaking`: a client or consumer built for the released contract can fail.
 * - `non-breaking`: additions and relaxations every released client or consumer survives.
 * - `deprecated`: something was marked deprecated (non-breaking, listed apart).
 * - `annotation`: documentation only (descriptions, examples, summaries, server URLs).
 */
export type ChangeLevel = 'breaking' | 'non-breaking' | 'deprecated' | 'annotation';

export interface ContractChange {
  level: ChangeLevel;
  /** Where, for a reader: `POST /api/banks`, `message bankCreated payload`, `/channels/cardCreated`. */
  location: string;
  /** What changed, e.g. "[Removed] property `name` from `item` in Response 201 content (application/json)". */
  description: string;
  /** JSON pointer of the change below `location` ('' for the location itself). */
  pointer: string;
  /** Why the gate's classification differs from the diff tool's, when it does. */
  note?: string;
}

/** Data that crosses the contract towards its validator. */
export type SchemaDirection =
  /** Request bodies and parameters (read by the server), message payloads and headers (read by consumers). */
  | 'input'
  /** Response bodies and headers (read by clients). */
  | 'output';

const levelOrder: Record<ChangeLevel, number> = { breaking: 0, 'non-breaking': 1, deprecated: 2, annotation: 3 };

/** Stable order for reports: breaking first, then by location and pointer; exact duplicates dropped. */
export function sortChanges(changes: readonly ContractChange[]): ContractChange[] {
  const seen = new Set<string>();
  const unique = changes.filter((change) => {
    const key = `${change.level}\0${change.location}\0${change.pointer}\0${change.description}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique
    .map((change, index) => ({ change, index }))
    .sort((a, b) => levelOrder[a.change.level] - levelOrder[b.change.level] || a.index - b.index)
    .map(({ change }) => change);
}
