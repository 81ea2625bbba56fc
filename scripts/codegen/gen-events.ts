/**
 * generated/events from specs/events.asyncapi.yaml with the in-repo AsyncAPI React template
 * (scripts/codegen/asyncapi-template), run through @asyncapi/generator offline.
 *
 * The generator renders into a fresh temporary folder; the files are then copied into
 * generated/events (only the ones whose content changed are rewritten) and files the
 * template no longer produces are removed. Output is deterministic: no timestamps, stable order.
 *
 *   npx tsx scripts/codegen/gen-events.ts
 */
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

export const eventsSpecPath = path.join(repoRoot, 'specs/events.asyncapi.yaml');
export const eventsTemplatePath = path.join(here, 'asyncapi-template');
export const eventsOutputPath = path.join(repoRoot, 'generated/events');

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

const transpiledDir = path.join(eventsTemplatePath, '__transpiled');
const transpiledStamp = path.join(transpiledDir, '.source-hash');

/** Hash of the template's sources (template/, lib/, package.json), in a stable order. */
async function templateSourceHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const dir of ['template', 'lib']) {
    const names = (await readdir(path.join(eventsTemplatePath, dir))).sort();
    for (const name of names) hash.update(`${dir}/${name}\0`).update(await readFile(path.join(eventsTemplatePath, dir, name)));
  }
  hash.update(await readFile(path.join(eventsTemplatePath, 'package.json')));
  return hash.digest('hex');
}

export interface GenerateEventsOptions {
  specPath?: string;
  outputDir?: string;
}

/** Render the events template; returns the absolute paths of the files in the output folder (sorted). */
export async function generateEvents(options: GenerateEventsOptions = {}): Promise<string[]> {
  const specPath = options.specPath ?? eventsSpecPath;
  const outputDir = options.outputDir ?? eventsOutputPath;
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'gen-events-'));
  try {
    // Transpiling the React template (rollup + babel) is skipped while its sources are unchanged.
    const sourceHash = await templateSourceHash();
    const compiledHash = await readFile(transpiledStamp, 'utf8').catch(() => '');
    const compile = compiledHash !== sourceHash;
    if (compile) await rm(transpiledDir, { recursive: true, force: true });
    const Generator = loadGenerator();
    const generator = new Generator(eventsTemplatePath, scratch, {
      forceWrite: true,
      install: false,
      compile,
      templateParams: { specPath: path.relative(repoRoot, specPath).split(path.sep).join('/') },
    });
    await generator.generateFromFile(specPath);
    if (compile) await writeFile(transpiledStamp, sourceHash);

    const produced = (await readdir(scratch, { withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort();
    if (produced.length === 0) throw new Error('the events template produced no files');

    await mkdir(outputDir, { recursive: true });
    const written: string[] = [];
    for (const name of produced) {
      const content = await readFile(path.join(scratch, name), 'utf8');
      const target = path.join(outputDir, name);
      const current = await readFile(target, 'utf8').catch(() => undefined);
      if (current !== content) await writeFile(target, content);
      written.push(target);
    }
    for (const entry of await readdir(outputDir, { withFileTypes: true })) {
      if (entry.isFile() && !produced.includes(entry.name)) await rm(path.join(outputDir, entry.name));
    }
    return written;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const files = await generateEvents();
  const ms = Math.round(performance.now() - started);
  for (const file of files) console.log(`wrote ${path.relative(process.cwd(), file)}`);
  console.log(`generated/events: ${files.length} files in ${ms} ms`);
}
