import { anchor, html } from '../lib/html.js';
import { KeyValueTable, RefLink, RefList, Value } from './common.js';

function Routes({ routes }) {
  if (routes.length === 0) return '';
  return html`<h4>Routing keys (channels)</h4>
<table><thead><tr><th>Routing key</th><th>Channel</th><th>Messages</th></tr></thead><tbody>
${routes.map((r) => html`<tr><td>${Value({ value: r.address })}</td><td>${RefLink({ kind: 'channel', id: r.id })}</td><td>${RefList({ refs: r.messages })}</td></tr>\n`)}</tbody></table>
`;
}

function QueueTable({ title, queues }) {
  if (queues.length === 0) return '';
  return html`<h4>${title}</h4>
<table><thead><tr><th>Queue</th><th>Routing key</th></tr></thead><tbody>
${queues.map((q) => html`<tr><td>${RefLink({ kind: 'channel', id: q.id, label: q.address })}</td><td>${Value({ value: q.routingKey })}</td></tr>\n`)}</tbody></table>
`;
}

function Exchange({ exchange }) {
  return html`<article id="${anchor('exchange', exchange.name)}" class="item">
<h3>${exchange.name}${exchange.key ? html` <span class="muted">(components.x-exchanges.${exchange.key})</span>` : ''}</h3>
<h4>AMQP exchange binding</h4>
${KeyValueTable({ object: exchange.spec })}
${Routes({ routes: exchange.routes })}
${QueueTable({ title: 'Queues bound to it (x-bindings)', queues: exchange.boundQueues })}
${QueueTable({ title: 'Dead-letter exchange of (x-dead-letter-exchange / x-dead-letter-routing-key)', queues: exchange.deadLetterFor })}
</article>
`;
}

/** The AMQP exchanges the channels route through or bind to. */
export function Exchanges({ exchanges }) {
  if (exchanges.length === 0) return '';
  return html`<section id="exchanges">
<h2>Exchanges</h2>
${exchanges.map((exchange) => Exchange({ exchange }))}
</section>
`;
}
