import { anchor, html, inline } from '../lib/html.js';
import { ActionBadge, Bindings, Description, Fields, RefList, Value } from './common.js';

/** The reply of a request/reply operation: where the reply goes and what it carries. */
function Reply({ reply }) {
  return html`<div class="reply">
<h4>Reply</h4>
${Fields({
  rows: [
    ['Address location', reply.location ? Value({ value: reply.location }) : ''],
    ['Address', inline(reply.description)],
    ['Channel', reply.channel ? RefList({ refs: [reply.channel] }) : ''],
    ['Messages', RefList({ refs: reply.messages })],
  ],
})}
</div>
`;
}

function Operation({ operation }) {
  return html`<article id="${anchor('operation', operation.id)}" class="item">
<h3>${ActionBadge({ action: operation.action })} <code>${operation.id}</code>${operation.title ? html` <span class="muted">— ${operation.title}</span>` : ''}</h3>
${Fields({
  rows: [
    ['Action', Value({ value: operation.action })],
    ['Summary', inline(operation.summary)],
    ['Channel', RefList({ refs: operation.channels })],
    ['Messages', RefList({ refs: operation.messages })],
  ],
})}
${Description({ text: operation.description })}
${operation.reply ? Reply({ reply: operation.reply }) : ''}
${Bindings({ bindings: operation.bindings })}
</article>
`;
}

export function Operations({ operations }) {
  return html`<section id="operations">
<h2>Operations</h2>
${operations.length === 0 ? html`<p class="muted">No operations.</p>` : operations.map((operation) => Operation({ operation }))}
</section>
`;
}
