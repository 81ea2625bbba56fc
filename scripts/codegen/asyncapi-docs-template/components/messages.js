import { anchor, html, inline } from '../lib/html.js';
import { Bindings, Description, Fields, JsonBlock, RefLink, Value } from './common.js';
import { SchemaTable } from './schema-table.js';

function Example({ example }) {
  return html`<div class="example">
<h5>${example.name}${example.summary ? html` <span class="muted">— ${example.summary}</span>` : ''}</h5>
${example.headers !== undefined ? html`<p class="label">Headers</p>${JsonBlock({ value: example.headers })}` : ''}
${example.payload !== undefined ? html`<p class="label">Payload</p>${JsonBlock({ value: example.payload })}` : ''}
</div>
`;
}

function UsedBy({ usedBy }) {
  return usedBy.map((u, i) => html`${i > 0 ? ', ' : ''}${RefLink({ kind: 'operation', id: u.operation })}${u.reply ? ' (reply)' : ''}`);
}

function Schema({ title, schema }) {
  if (!schema) return '';
  return html`<h4>${title}${schema.name && !schema.name.startsWith('<') ? html` <span class="muted">(${schema.name})</span>` : ''}</h4>
${SchemaTable({ schema, label: schema.name && !schema.name.startsWith('<') ? schema.name : '(root)' })}`;
}

function Message({ message }) {
  return html`<article id="${anchor('message', message.id)}" class="item">
<h3><code>${message.name || message.id}</code>${message.title ? html` <span class="muted">— ${message.title}</span>` : ''}</h3>
${Fields({
  rows: [
    ['Message id', Value({ value: message.id })],
    ['Name', message.name ? Value({ value: message.name }) : ''],
    ['Title', message.title],
    ['Summary', inline(message.summary)],
    ['Content type', message.contentType ? Value({ value: message.contentType }) : ''],
    ['Correlation id', message.correlationId ? html`${Value({ value: message.correlationId.location })} ${inline(message.correlationId.description)}` : ''],
    ['Used by', UsedBy({ usedBy: message.usedBy })],
  ],
})}
${Description({ text: message.description })}
${Schema({ title: 'Headers', schema: message.headers })}
${Schema({ title: 'Payload', schema: message.payload })}
${Bindings({ bindings: message.bindings })}
${message.examples.length > 0 ? html`<h4>Examples</h4>${message.examples.map((example) => Example({ example }))}` : ''}
</article>
`;
}

export function Messages({ messages }) {
  return html`<section id="messages">
<h2>Messages</h2>
${messages.length === 0 ? html`<p class="muted">No messages.</p>` : messages.map((message) => Message({ message }))}
</section>
`;
}
