import { html, inline } from '../lib/html.js';
import { schemaRows } from '../lib/schema-rows.js';
import { MAX_INDENT } from '../lib/styles.js';
import { Value } from './common.js';

function Constraint({ key, value }) {
  if (key === 'pattern') return html`<li>pattern <code>${value}</code></li>`;
  if (key === 'enum' && Array.isArray(value)) return html`<li>enum ${value.map((v, i) => html`${i > 0 ? ', ' : ''}${Value({ value: JSON.stringify(v) })}`)}</li>`;
  return html`<li>${key} ${Value({ value: typeof value === 'string' ? JSON.stringify(value) : value })}</li>`;
}

function PropertyName({ row }) {
  const parents = row.parents.slice(1);
  return html`<td class="prop indent-${Math.min(row.depth, MAX_INDENT)}">${parents.length > 0 ? html`<span class="parent">${parents.join('.')}.</span>` : ''}<code>${row.name}</code></td>`;
}

function SchemaRow({ row }) {
  return html`<tr class="depth-${row.depth}">
${PropertyName({ row })}<td>${row.type}${row.schemaName ? html` <span class="muted">(${row.schemaName})</span>` : ''}${row.circular ? html` <em>(circular)</em>` : ''}</td>
<td>${row.depth === 0 ? '' : row.required ? html`<strong>required</strong>` : 'optional'}</td>
<td>${row.format ? html`<code>${row.format}</code>` : ''}</td>
<td>${row.constraints.length > 0 ? html`<ul class="constraints">${row.constraints.map(Constraint)}</ul>` : ''}</td>
<td>${inline(row.description)}</td></tr>
`;
}

/** A schema as a nested table of its properties (path, type, required, format, constraints, description). */
export function SchemaTable({ schema, label }) {
  const rows = schemaRows(schema.json, label);
  return html`<table class="schema">
<thead><tr><th>Property</th><th>Type</th><th>Required</th><th>Format</th><th>Constraints</th><th>Description</th></tr></thead>
<tbody>
${rows.map((row) => SchemaRow({ row }))}</tbody>
</table>
`;
}
