import type { CaughtMessage } from './caught-message.ts';
import { escapeHtml } from '../mail/html-escape.ts';

/**
 * The catcher's two HTML pages. Every value from a mail is escaped; the mail's own HTML is shown
 * only inside a sandboxed iframe (no scripts, no same-origin) through an escaped `srcdoc`.
 */

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
pre { white-space: pre-wrap; background: #f6f6f6; padding: 1rem; }
iframe { width: 100%; min-height: 24rem; border: 1px solid #ddd; }
dt { font-weight: bold; } dd { margin: 0 0 .4rem 0; }
`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

export function renderInboxPage(messages: CaughtMessage[]): string {
  const rows = messages
    .map(
      (m) => `<tr>
<td><a href="/messages/${encodeURIComponent(m.id)}">${escapeHtml(m.subject || '(no subject)')}</a></td>
<td>${escapeHtml(m.from)}</td>
<td>${escapeHtml(m.to.join(', '))}</td>
<td><time datetime="${escapeHtml(m.date)}">${escapeHtml(m.date)}</time></td>
</tr>`,
    )
    .join('\n');
  const table =
    messages.length === 0
      ? '<p>No messages.</p>'
      : `<table>
<thead><tr><th>Subject</th><th>From</th><th>To</th><th>Received</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
  return layout('Mail catcher inbox', `<h1>Inbox (${messages.length})</h1>\n${table}`);
}

export function renderMessagePage(m: CaughtMessage): string {
  const html =
    m.html === null
      ? '<p>(no HTML part)</p>'
      : `<iframe sandbox="" referrerpolicy="no-referrer" title="HTML body" srcdoc="${escapeHtml(m.html)}"></iframe>`;
  const body = `<p><a href="/">&larr; Inbox</a></p>
<h1>${escapeHtml(m.subject || '(no subject)')}</h1>
<dl>
<dt>From</dt><dd>${escapeHtml(m.from)}</dd>
<dt>To</dt><dd>${escapeHtml(m.to.join(', '))}</dd>
<dt>Received</dt><dd>${escapeHtml(m.date)}</dd>
<dt>Size</dt><dd>${m.size} bytes</dd>
</dl>
<h2>Text</h2>
<pre>${escapeHtml(m.text)}</pre>
<h2>HTML</h2>
${html}`;
  return layout(m.subject || 'Message', body);
}

export function renderNotFoundPage(): string {
  return layout('Not found', '<p><a href="/">&larr; Inbox</a></p><h1>Message not found</h1>');
}
