import { createHash } from 'crypto';
import { html, raw } from '../lib/html.js';
import { styles } from '../lib/styles.js';
import { Channels } from './channels.js';
import { Exchanges } from './exchanges.js';
import { Info } from './info.js';
import { Messages } from './messages.js';
import { Operations } from './operations.js';
import { Servers } from './servers.js';
import { Toc } from './toc.js';

/**
 * The whole page: one self-contained HTML document (inline CSS, no scripts, no external
 * assets). Its Content-Security-Policy allows nothing but the one stylesheet, by hash (no
 * 'unsafe-inline'); a server sends the same policy as a header (see scripts/codegen/gen-events-docs.ts).
 */
export function Page({ model, specPath }) {
  const styleHash = createHash('sha256').update(styles).digest('base64');
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-${styleHash}'">
<title>${model.info.title} ${model.info.version}</title>
<style>${raw(styles)}</style>
</head>
<body>
${Toc({ model })}
<main>
${Info({ info: model.info })}
${Servers({ servers: model.servers })}
${Exchanges({ exchanges: model.exchanges })}
${Channels({ channels: model.channels })}
${Operations({ operations: model.operations })}
${Messages({ messages: model.messages })}
<footer>Rendered from <code>${specPath}</code> by the in-repo AsyncAPI docs template (<code>make gen</code>).</footer>
</main>
</body>
</html>
`;
}
