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
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

export const asyncApiSpecPath = path.join(repoRoot, 'specs/events.asyncapi.yaml');
export const asyncApiDocsTemplatePath = path.join(repoRoot, 'scripts/codegen/asyncapi-docs-template');
export const asyncApiDocsOutputPath = path.join(repoRoot, 'docs/asyncapi');

interface GeneratorOptions {
  forceWrite?: boolean;
  install?: boolean;
  compile?: boolean;
  templateParams?: Record<string, string>;
}
interface AsyncApiGenerator {
  generateFromFile(file: string): Promise<void>;
}
type GeneratorConstructor = new (template: string, targetDir: string, options: GeneratorOptions) => AsyncApiGenerator;

// @asyncapi/generator is CommonJS without type declarations; loading it takes ≈ 1 s, so only on use.
const require = createRequire(import.meta.url);
const loadGenerator = (): GeneratorConstructor => require('@asyncapi/generator') as GeneratorConstructor;

const transpiledDir = path.join(asyncApiDocsTemplatePath, '__transpiled');
const transpiledStamp = path.join(transpiledDir, '.source-hash');
const sourceDirs = ['template', 'components', 'lib'];

/** Hash of the template's sources (template/, components/, lib/, package.json), in a stable order. */
async function templateSourceHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const dir of sourceDirs) {
    const names = (await readdir(path.join(asyncApiDocsTemplatePath, dir))).sort();
    for (const name of names) hash.update(`${dir}/${name}\0`).update(await readFile(path.join(asyncApiDocsTemplatePath, dir, name)));
  }
  hash.update(await readFile(path.join(asyncApiDocsTemplatePath, 'package.json')));
  return hash.digest('hex');
}

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
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'asyncapi-docs-'));
  try {
    // Transpiling the React template (rollup + babel) is skipped while its sources are unchanged.
    const sourceHash = await templateSourceHash();
    const compiledHash = await readFile(transpiledStamp, 'utf8').catch(() => '');
    const compile = compiledHash !== sourceHash;
    if (compile) await rm(transpiledDir, { recursive: true, force: true });
    const Generator = loadGenerator();
    const generator = new Generator(asyncApiDocsTemplatePath, scratch, {
      forceWrite: true,
      install: false,
      compile,
      templateParams: { specPath: path.relative(repoRoot, specPath).split(path.sep).join('/') },
    });
    await generator.generateFromFile(specPath);
    if (compile) await writeFile(transpiledStamp, sourceHash);

    const content = await readFile(path.join(scratch, 'index.html'), 'utf8').catch(() => {
      throw new Error('the AsyncAPI docs template produced no index.html');
    });
    await mkdir(outputDir, { recursive: true });
    const target = path.join(outputDir, 'index.html');
    const current = await readFile(target, 'utf8').catch(() => undefined);
    if (current !== content) await writeFile(target, content);
    return target;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const file = await renderAsyncApiDocs();
  const ms = Math.round(performance.now() - started);
  console.log(path.relative(process.cwd(), file));
  console.error(`AsyncAPI docs rendered in ${ms} ms`);
}
