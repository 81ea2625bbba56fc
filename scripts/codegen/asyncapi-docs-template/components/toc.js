import { anchor, html } from '../lib/html.js';

function Group({ id, title, kind, entries }) {
  if (entries.length === 0) return '';
  return html`<li><a href="#${id}">${title}</a>
<ul>${entries.map((e) => html`<li><a href="#${anchor(kind, e.id)}">${e.label}</a></li>`)}</ul></li>
`;
}

/** The table of contents: one link per section and per entry. */
export function Toc({ model }) {
  return html`<nav class="toc" aria-label="Contents">
<h2>Contents</h2>
<ul>
<li><a href="#info">${model.info.title}</a></li>
${Group({ id: 'servers', title: 'Servers', kind: 'server', entries: model.servers.map((s) => ({ id: s.id, label: s.id })) })}
${Group({ id: 'exchanges', title: 'Exchanges', kind: 'exchange', entries: model.exchanges.map((e) => ({ id: e.name, label: e.name })) })}
${Group({ id: 'channels', title: 'Channels', kind: 'channel', entries: model.channels.map((c) => ({ id: c.id, label: c.address || c.id })) })}
${Group({ id: 'operations', title: 'Operations', kind: 'operation', entries: model.operations.map((o) => ({ id: o.id, label: `${o.action} ${o.id}` })) })}
${Group({ id: 'messages', title: 'Messages', kind: 'message', entries: model.messages.map((m) => ({ id: m.id, label: m.name || m.id })) })}
</ul>
</nav>
`;
}
