/**
 * docs/asyncapi/index.html from specs/events.asyncapi.yaml with the in-repo AsyncAPI React docs
 * template (scripts/codegen/asyncapi-docs-template), run through @asyncapi/generator offline
 * (no browser, no network: the official html-template needs puppeteer).
 *
 * The generator renders into a fresh temporary folder; index.html is then copied into the
 * output folder (rewritten only when its content changed). Output is deterministic.
 *
 *   npx tsx scripts/docs/render-asyncapi-docs.ts      (make docs)
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot, runAsyncApiTemplate, writeIfChanged } from '../codegen/run-asyncapi-template.ts';

export const asyncApiSpecPath = path.join(repoRoot, 'specs/events.asyncapi.yaml');
export const asyncApiDocsTemplatePath = path.join(repoRoot, 'scripts/codegen/asyncapi-docs-template');
export const asyncApiDocsOutputPath = path.join(repoRoot, 'docs/asyncapi');

export interface RenderAsyncApiDocsOptions {
  /** The AsyncAPI document (default specs/events.asyncapi.yaml). */
  specPath?: string;
  /** Where index.html goes (default docs/asyncapi). */
  outputDir?: string;
}

/** Render the AsyncAPI document to `<outputDir>/index.html`; returns that file's absolute path. */
export async function renderAsyncApiDocs(options: RenderAsyncApiDocsOptions = {}): Promise<string> {
  const specPath = path.resolve(options.specPath ?? asyncApiSpecPath);
  const outputDir = path.resolve(options.outputDir ?? asyncApiDocsOutputPath);
  return runAsyncApiTemplate(
    { templateDir: asyncApiDocsTemplatePath, sourceDirs: ['template', 'components', 'lib'], specPath, scratchPrefix: 'asyncapi-docs-' },
    async (scratch) => {
      const content = await readFile(path.join(scratch, 'index.html'), 'utf8').catch(() => {
        throw new Error('the AsyncAPI docs template produced no index.html');
      });
      await mkdir(outputDir, { recursive: true });
      const target = path.join(outputDir, 'index.html');
      await writeIfChanged(target, content);
      return target;
    },
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const file = await renderAsyncApiDocs();
  const ms = Math.round(performance.now() - started);
  console.log(path.relative(process.cwd(), file));
  console.error(`AsyncAPI docs rendered in ${ms} ms`);
}
