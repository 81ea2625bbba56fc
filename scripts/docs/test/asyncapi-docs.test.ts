import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { eventsDocsPage } from '@bank/events/docs';
import { pageContentSecurityPolicy } from '../../codegen/gen-events-docs.ts';
import { asyncApiSpecPath, renderAsyncApiDocs } from '../render-asyncapi-docs.ts';

interface SpecExample {
  payload?: unknown;
}
interface SpecMessage {
  payload: { $ref: string };
  examples?: SpecExample[];
}
interface SpecSchema {
  properties?: Record<string, unknown>;
}
interface Spec {
  channels: Record<string, { address: string; 'x-dead-letter'?: { exchange: string; queue: string } }>;
  operations: Record<string, { action: string }>;
  components: { messages: Record<string, SpecMessage>; schemas: Record<string, SpecSchema> };
}

const here = path.dirname(fileURLToPath(import.meta.url));
const fixturePath = path.join(here, 'fixtures/hostile.asyncapi.yaml');
const spec = parse(await readFile(asyncApiSpecPath, 'utf8')) as Spec;

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The `<article>` of one element of the page (by its anchor). */
function article(page: string, anchor: string): string {
  const start = page.indexOf(`<article id="${anchor}"`);
  assert.ok(start >= 0, `the page has an article #${anchor}`);
  return page.slice(start, page.indexOf('</article>', start));
}

describe('AsyncAPI docs (scripts/docs/render-asyncapi-docs.ts)', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  let outputDir = '';
  let indexPath = '';
  let page = '';

  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'asyncapi-docs-test-'));
    dirs.push(dir);
    return dir;
  };

  before(async () => {
    outputDir = await tempDir();
    indexPath = await renderAsyncApiDocs({ outputDir });
    page = await readFile(indexPath, 'utf8');
  });

  after(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('writes one index.html into the output folder and returns its path', async () => {
    assert.equal(indexPath, path.join(outputDir, 'index.html'));
    assert.deepEqual(await readdir(outputDir), ['index.html']);
    assert.match(page, /^<!DOCTYPE html>\n<html lang="en">/);
    assert.match(page, /<title>Contract bank events 1\.0\.0<\/title>/);
  });

  it('lists every operation of the spec with its action, an anchor and a table-of-contents link', () => {
    const ids = Object.keys(spec.operations);
    assert.ok(ids.length >= 8);
    for (const id of ids) {
      assert.ok(page.includes(`href="#operation-${id}"`), `TOC links ${id}`);
      const section = article(page, `operation-${id}`);
      assert.ok(section.includes(`<code>${id}</code>`), `${id} is named`);
      assert.ok(section.includes(`<dt>Action</dt><dd><code>${spec.operations[id]?.action}</code></dd>`), `${id} shows its action`);
    }
  });

  it('shows every channel address with an anchor', () => {
    const channels = Object.entries(spec.channels);
    assert.ok(channels.length >= 11);
    for (const [id, channel] of channels) {
      assert.ok(page.includes(`href="#channel-${id}"`), `TOC links ${id}`);
      assert.ok(article(page, `channel-${id}`).includes(`<code>${escapeHtml(channel.address)}</code>`), `${id} shows ${channel.address}`);
    }
  });

  it('shows the reply of publishBankCreated: address location, reply channel and reply message', () => {
    const section = article(page, 'operation-publishBankCreated');
    const reply = section.slice(section.indexOf('<div class="reply">'));
    assert.ok(reply.startsWith('<div class="reply">'), 'the operation has a reply block');
    assert.ok(reply.includes('<code>$message.header#/reply_to</code>'));
    assert.ok(reply.includes('<a href="#channel-bankCallbackQueue">bank-service.callback</a>'));
    assert.ok(reply.includes('<a href="#message-bankCreatedReply">'));
    assert.ok(!article(page, 'operation-publishAccountCreated').includes('<div class="reply">'), 'operations without a reply show none');
  });

  it('shows the dead-letter exchange and the dead-letter settings of every consumer queue', () => {
    const consumerQueues = Object.entries(spec.channels).filter(([, c]) => c['x-dead-letter']);
    assert.equal(consumerQueues.length, 3);
    const dlx = consumerQueues[0]?.[1]['x-dead-letter']?.exchange ?? '';
    assert.equal(dlx, 'topic_exchange.dlx');
    const exchange = article(page, `exchange-${dlx}`);
    assert.ok(exchange.includes('<th scope="row">type</th><td><code>direct</code></td>'));
    for (const [id, channel] of consumerQueues) {
      const section = article(page, `channel-${id}`);
      const dlq = channel['x-dead-letter']?.queue ?? '';
      assert.ok(section.includes(`<th scope="row">x-dead-letter-exchange</th><td><a href="#exchange-${dlx}">${dlx}</a></td>`), `${id} dead-letters to ${dlx}`);
      assert.ok(section.includes(`<th scope="row">x-dead-letter-routing-key</th><td><code>${dlq}</code></td>`), `${id} dead-letters as ${dlq}`);
      assert.ok(exchange.includes(`<a href="#channel-${id}">${channel.address}</a></td><td><code>${dlq}</code>`), `the DLX lists ${id}`);
    }
  });

  it('renders every payload schema as a table of its properties, nested ones with their path', () => {
    for (const [id, message] of Object.entries(spec.components.messages)) {
      const section = article(page, `message-${id}`);
      const schemaName = message.payload.$ref.split('/').pop() ?? '';
      assert.ok(section.includes(`<h4>Payload <span class="muted">(${schemaName})</span></h4>`), `${id} names its payload schema`);
      for (const property of Object.keys(spec.components.schemas[schemaName]?.properties ?? {})) {
        assert.ok(section.includes(`<code>${property}</code></td>`), `${id} lists ${property}`);
      }
    }
    const account = article(page, 'message-accountCreated');
    assert.match(account, /<span class="parent">data\.<\/span><code>client_id<\/code><\/td><td>integer<\/td>\n<td><strong>required<\/strong><\/td>/);
    assert.match(account, /<code>date<\/code><\/td><td>string<\/td>\n<td><strong>required<\/strong><\/td>\n<td><code>date-time<\/code><\/td>/);
  });

  it('pretty-prints every message example as JSON', () => {
    for (const [id, message] of Object.entries(spec.components.messages)) {
      for (const example of message.examples ?? []) {
        assert.ok(article(page, `message-${id}`).includes(escapeHtml(JSON.stringify(example.payload, null, 2))), `${id} shows its example`);
      }
    }
  });

  it('is self-contained: inline CSS, no script and no external resource', () => {
    assert.ok(page.includes('<style>'));
    assert.doesNotMatch(page, /<script|<link|\ssrc=|@import|url\(/i);
  });

  it("allows only its own stylesheet, by hash, in its CSP (no 'unsafe-inline', no style attributes)", () => {
    const styles = [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] ?? '');
    assert.equal(styles.length, 1);
    const hash = createHash('sha256').update(styles[0] ?? '').digest('base64');
    assert.ok(page.includes(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-${hash}'">`));
    assert.equal(pageContentSecurityPolicy(page), `default-src 'none'; style-src 'sha256-${hash}'`);
    assert.doesNotMatch(page, /\sstyle=/);
    assert.throws(() => pageContentSecurityPolicy(page.replace('<style>', '<style>body{}')), /does not allow its own stylesheet/);
  });

  it('is what make gen keeps in @bank/events/docs for bank-service to serve', () => {
    assert.equal(eventsDocsPage.html, page);
    assert.equal(eventsDocsPage.contentSecurityPolicy, pageContentSecurityPolicy(page));
  });

  describe('a document with markup in its text', () => {
    let hostile = '';

    before(async () => {
      hostile = await readFile(await renderAsyncApiDocs({ specPath: fixturePath, outputDir: await tempDir() }), 'utf8');
    });

    it('escapes the markup of descriptions, titles, addresses, property names and examples', () => {
      assert.ok(hostile.includes('Before &lt;script&gt;alert(1)&lt;/script&gt; after &amp; &quot;quoted&quot; &#39;single&#39;.'));
      assert.ok(hostile.includes('<title>Escaping &lt;b&gt;fixture&lt;/b&gt; 0.0.1</title>'));
      assert.ok(hostile.includes('<code>hostile.&lt;i&gt;channel&lt;/i&gt;</code>'));
      assert.ok(hostile.includes('Send &lt;img src=x onerror=alert(2)&gt;'));
      assert.ok(hostile.includes('&lt;svg onload=alert(3)&gt;'));
      assert.ok(hostile.includes('<code>&lt;u&gt;name&lt;/u&gt;</code></td>'));
      assert.ok(hostile.includes('&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;alert(4)&lt;/script&gt;'));
      assert.ok(hostile.includes('&quot;&lt;/pre&gt;&lt;script&gt;alert(5)&lt;/script&gt;&quot;'));
      assert.ok(hostile.includes('<li>a list item with <code>&lt;code&gt;</code> inside backticks</li>'));
      assert.doesNotMatch(hostile, /<(script|img|svg|b|i|u)[\s>]/i);
    });

    it('renders the same bytes for the same document', async () => {
      const again = await readFile(await renderAsyncApiDocs({ specPath: fixturePath, outputDir: await tempDir() }), 'utf8');
      assert.equal(again, hostile);
    });
  });
});
