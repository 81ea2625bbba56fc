/**
 * Escaping-by-default HTML building. `html` is a tagged template: every interpolated value is
 * HTML-escaped unless it is itself built by `html` (or marked with `raw`, used only for the
 * page's constant CSS). Arrays are joined; null, undefined and false print nothing.
 */

export class SafeHtml {
  constructor(value) {
    this.value = value;
  }

  toString() {
    return this.value;
  }
}

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Trusted markup (constants only, never document content). */
export function raw(value) {
  return new SafeHtml(String(value));
}

function piece(value) {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(piece).join('');
  return escapeHtml(value);
}

export function html(strings, ...values) {
  let out = strings[0];
  values.forEach((value, i) => {
    out += piece(value) + strings[i + 1];
  });
  return new SafeHtml(out);
}

/** A value for an `id` / `href="#…"`: letters, digits, `_`, `.`, `-` only (stable, readable). */
export function anchor(kind, name) {
  return `${kind}-${String(name).replace(/[^A-Za-z0-9_.-]/g, '-')}`;
}

/** Pretty JSON of a value (2-space indent, key order as in the document). */
export function prettyJson(value) {
  return JSON.stringify(value, null, 2);
}

/** One line of text with `code` spans as <code> (the text itself stays escaped). */
export function inline(text) {
  if (!text) return '';
  const parts = String(text).split('`');
  return parts.map((part, i) => (i % 2 === 1 && i < parts.length - 1 ? html`<code>${part}</code>` : i % 2 === 1 ? `\`${part}` : part));
}

const BULLET = /^\s*[*-]\s+/;

/**
 * A spec description as HTML: blank-line separated paragraphs, `* ` / `- ` bullet lists and
 * `code` spans. Everything else is text (escaped): no HTML from the document reaches the page.
 */
export function prose(text) {
  if (!text) return '';
  const blocks = String(text).trim().split(/\n\s*\n/);
  return blocks.map((block) => {
    const lines = block.split('\n');
    if (BULLET.test(lines[0])) {
      const items = [];
      for (const line of lines) {
        if (BULLET.test(line) || items.length === 0) items.push(line.replace(BULLET, ''));
        else items[items.length - 1] += ` ${line.trim()}`;
      }
      return html`<ul>${items.map((item) => html`<li>${inline(item)}</li>`)}</ul>`;
    }
    return html`<p>${inline(lines.map((l) => l.trim()).join(' '))}</p>`;
  });
}

/** Drop the blank lines the components' templates leave (no <pre> content holds any). */
export function tidy(page) {
  return String(page).replace(/\n{2,}/g, '\n');
}
