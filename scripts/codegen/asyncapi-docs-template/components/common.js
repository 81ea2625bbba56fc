import { anchor, html, prettyJson, prose } from '../lib/html.js';
import { clean } from '../lib/model.js';

/** A scalar or structure as inline code: strings as they are, everything else as JSON. */
export function Value({ value }) {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(clean(value));
  return html`<code>${text}</code>`;
}

/** Pretty-printed JSON in a block. */
export function JsonBlock({ value }) {
  return html`<pre class="json"><code>${prettyJson(clean(value))}</code></pre>`;
}

/** A label/content list; rows whose content is empty (undefined, null, false, '', []) are left out. */
export function Fields({ rows }) {
  const shown = rows.filter(([, content]) => content !== undefined && content !== null && content !== false && content !== '' && !(Array.isArray(content) && content.length === 0));
  if (shown.length === 0) return '';
  return html`<dl class="fields">${shown.map(([label, content]) => html`<dt>${label}</dt><dd>${content}</dd>`)}</dl>`;
}

/** A link to a channel, operation, message, exchange or server of the page. */
export function RefLink({ kind, id, label }) {
  return html`<a href="#${anchor(kind, id)}">${label === undefined ? id : label}</a>`;
}

export function RefList({ refs }) {
  return refs.map((r, i) => html`${i > 0 ? ', ' : ''}${RefLink(r)}`);
}

/** A binding object as a key/value table (nested values as JSON). */
export function KeyValueTable({ object }) {
  const entries = Object.entries(object || {});
  if (entries.length === 0) return html`<p class="muted">(empty)</p>`;
  return html`<table class="kv"><tbody>${entries.map(([key, value]) => html`<tr><th scope="row">${key}</th><td>${Value({ value })}</td></tr>`)}</tbody></table>`;
}

/** Every binding of an element: protocol, binding version and its fields. */
export function Bindings({ bindings }) {
  if (!bindings || bindings.length === 0) return '';
  return bindings.map(
    (b) => html`<div class="binding"><h5>${b.protocol} binding${b.version ? html` <span class="muted">(bindingVersion ${b.version})</span>` : ''}</h5>${KeyValueTable({ object: b.value })}</div>`,
  );
}

/** Specification extensions (`x-…`) as pretty JSON. */
export function Extensions({ extensions }) {
  if (!extensions || extensions.length === 0) return '';
  return extensions.map((e) => html`<div class="extension"><h5>${e.name}</h5>${JsonBlock({ value: e.value })}</div>`);
}

/** `send` / `receive` as a badge. */
export function ActionBadge({ action }) {
  return html`<span class="badge badge-${action === 'send' ? 'send' : 'receive'}">${action}</span>`;
}

/** A description (paragraphs, lists, `code`); nothing when there is none. */
export function Description({ text }) {
  return text ? html`<div class="description">${prose(text)}</div>` : '';
}
