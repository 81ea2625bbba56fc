import { anchor, html } from '../lib/html.js';
import { Bindings, Description, Fields, Value } from './common.js';

function Server({ server }) {
  return html`<article id="${anchor('server', server.id)}" class="item">
<h3>${server.id}${server.title ? html` <span class="muted">— ${server.title}</span>` : ''}</h3>
${Fields({
  rows: [
    ['Host', Value({ value: server.host })],
    ['Path', server.pathname ? Value({ value: server.pathname }) : ''],
    ['Protocol', html`${Value({ value: server.protocol })}${server.protocolVersion ? html` ${Value({ value: server.protocolVersion })}` : ''}`],
  ],
})}
${Description({ text: server.description })}
${Bindings({ bindings: server.bindings })}
</article>
`;
}

export function Servers({ servers }) {
  return html`<section id="servers">
<h2>Servers</h2>
${servers.length === 0 ? html`<p class="muted">No servers.</p>` : servers.map((server) => Server({ server }))}
</section>
`;
}
