import { html } from '../lib/html.js';
import { Description, Fields, Value } from './common.js';

/** Title, version and description of the document. */
export function Info({ info }) {
  return html`<header id="info" class="info">
<h1>${info.title} <span class="version">${info.version}</span></h1>
${Fields({
  rows: [
    ['AsyncAPI', Value({ value: info.asyncapiVersion })],
    ['Document id', info.id ? Value({ value: info.id }) : ''],
    ['Default content type', info.defaultContentType ? Value({ value: info.defaultContentType }) : ''],
    ['License', info.license ? (info.license.url ? html`${info.license.name} (${info.license.url})` : info.license.name) : ''],
    ['Contact', info.contact ? [info.contact.name, info.contact.email, info.contact.url].filter(Boolean).join(' · ') : ''],
  ],
})}
${Description({ text: info.description })}
</header>
`;
}
