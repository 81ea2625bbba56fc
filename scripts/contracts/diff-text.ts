/** Text of one api-smart-diff change for the changelog. */
import type { Diff } from 'api-smart-diff';

const VERBS = { add: 'Added', remove: 'Removed', replace: 'Replaced', rename: 'Renamed' } as const;

/**
 * api-smart-diff's text. Where it came out empty, or calls a schema change an "annotation" although
 * it classified it otherwise (it does so for a `$ref`'d schema's second user), the change is named
 * from its path instead, keeping the text's " in Response 200 content (…)" tail.
 */
export function describeDiff(diff: Diff): string {
  const text = diff.description?.trim() ?? '';
  const misnamed = text.includes('annotation (') && diff.type !== 'annotation';
  if (text !== '' && !text.startsWith('in ') && !misnamed) return text;
  const at = text.indexOf(' in ');
  const tail = text.startsWith('in ') ? ` ${text}` : at >= 0 ? text.slice(at) : '';
  const key = diff.path[diff.path.length - 1];
  const parent = diff.path[diff.path.length - 2];
  const value = diff.action === 'add' ? diff.after : diff.before;
  const what =
    parent === 'properties'
      ? `property \`${String(key)}\``
      : parent === 'required' && typeof value === 'string'
        ? `required status ${diff.action === 'add' ? 'to' : 'from'} \`${value}\``
        : parent === 'type' && typeof value === 'string'
          ? `type \`${value}\``
          : `\`${String(key)}\``;
  return `[${VERBS[diff.action]}] ${what}${tail}`;
}
