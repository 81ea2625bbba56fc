import { File } from '@asyncapi/generator-react-sdk';
import { Page } from '../components/page.js';
import { tidy } from '../lib/html.js';
import { buildDocsModel } from '../lib/model.js';

/** docs/asyncapi/index.html: the whole document on one self-contained page. */
export default function Index({ asyncapi, params }) {
  const model = buildDocsModel(asyncapi);
  return <File name="index.html">{tidy(Page({ model, specPath: params.specPath }))}</File>;
}
