import { anchor, html, inline } from '../lib/html.js';
import { Bindings, Description, Extensions, Fields, KeyValueTable, RefLink, RefList, Value } from './common.js';

const DEAD_LETTER_ARGS = new Set(['x-dead-letter-exchange', 'x-dead-letter-routing-key']);

function QueueArguments({ args }) {
  const entries = Object.entries(args || {});
  if (entries.length === 0) return '';
  return html`<h5>Queue arguments (x-arguments)</h5>
<table class="kv"><tbody>${entries.map(
    ([key, value]) =>
      html`<tr${DEAD_LETTER_ARGS.has(key) ? html` class="dead-letter"` : ''}><th scope="row">${key}</th><td>${key === 'x-dead-letter-exchange' && typeof value === 'string' ? RefLink({ kind: 'exchange', id: value }) : Value({ value })}</td></tr>`,
  )}</tbody></table>
`;
}

/** `bindings.amqp` of a channel: a routing key on an exchange, or a queue with its properties and arguments. */
function AmqpChannelBinding({ channel, binding }) {
  const v = binding.value;
  const { 'x-arguments': args, ...queue } = v.queue || {};
  return html`<div class="binding"><h5>amqp binding${binding.version ? html` <span class="muted">(bindingVersion ${binding.version})</span>` : ''}</h5>
${Fields({
  rows: [
    ['is', Value({ value: v.is })],
    ['Routing key', v.is === 'routingKey' ? Value({ value: channel.address }) : ''],
    ['Exchange', v.exchange && v.exchange.name ? html`${RefLink({ kind: 'exchange', id: v.exchange.name })} ${Value({ value: v.exchange.type })}` : ''],
    ['Queue', v.queue ? Value({ value: v.queue.name }) : ''],
  ],
})}
${v.exchange ? html`<h5>Exchange</h5>${KeyValueTable({ object: v.exchange })}` : ''}
${v.queue ? html`<h5>Queue</h5>${KeyValueTable({ object: queue })}` : ''}
${QueueArguments({ args })}
</div>
`;
}

function XBindings({ bindings }) {
  if (bindings === undefined) return '';
  const list = Array.isArray(bindings) ? bindings : [];
  return html`<h5>Bindings to exchanges (x-bindings)</h5>
${list.length === 0
  ? html`<p class="muted">None (reached through the default exchange).</p>`
  : html`<table><thead><tr><th>Exchange</th><th>Routing key</th></tr></thead><tbody>${list.map(
      (b) => html`<tr><td>${RefLink({ kind: 'exchange', id: b.exchange })}</td><td>${Value({ value: b.routingKey })}</td></tr>`,
    )}</tbody></table>`}
`;
}

function DeadLetter({ deadLetter }) {
  if (!deadLetter) return '';
  return html`<h5>Dead letters (x-dead-letter)</h5>
${Fields({
  rows: [
    ['Exchange', deadLetter.exchange ? RefLink({ kind: 'exchange', id: deadLetter.exchange }) : ''],
    ['Queue', deadLetter.queue ? Value({ value: deadLetter.queue }) : ''],
  ],
})}
`;
}

function Parameters({ parameters }) {
  if (parameters.length === 0) return '';
  return html`<h5>Parameters</h5>
<table><thead><tr><th>Name</th><th>Values</th><th>Description</th></tr></thead><tbody>${parameters.map(
    (p) =>
      html`<tr><td><code>{${p.id}}</code></td><td>${p.enum ? p.enum.map((e, i) => html`${i > 0 ? ', ' : ''}${Value({ value: e })}`) : 'any'}${p.default !== undefined ? html` (default ${Value({ value: p.default })})` : ''}</td><td>${inline(p.description)}</td></tr>`,
  )}</tbody></table>
`;
}

function Channel({ channel }) {
  return html`<article id="${anchor('channel', channel.id)}" class="item">
<h3><code>${channel.address || '(no address)'}</code> <span class="muted">— ${channel.title || channel.id}</span></h3>
${Fields({
  rows: [
    ['Channel id', Value({ value: channel.id })],
    ['Summary', inline(channel.summary)],
    ['Servers', RefList({ refs: channel.servers.map((id) => ({ kind: 'server', id })) })],
    ['Messages', RefList({ refs: channel.messages })],
  ],
})}
${Description({ text: channel.description })}
${Parameters({ parameters: channel.parameters })}
${channel.amqp ? AmqpChannelBinding({ channel, binding: channel.amqp }) : ''}
${XBindings({ bindings: channel.xBindings })}
${DeadLetter({ deadLetter: channel.deadLetter })}
${Bindings({ bindings: channel.otherBindings })}
${Extensions({ extensions: channel.extensions })}
</article>
`;
}

export function Channels({ channels }) {
  return html`<section id="channels">
<h2>Channels</h2>
${channels.length === 0 ? html`<p class="muted">No channels.</p>` : channels.map((channel) => Channel({ channel }))}
</section>
`;
}
