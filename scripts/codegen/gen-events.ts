/**
 * generated/events/src from specs/events.asyncapi.yaml with the in-repo AsyncAPI React template
 * (scripts/codegen/asyncapi-template), run through @asyncapi/generator offline.
 *
 * The generator renders into a fresh temporary folder; the files are then copied into
 * generated/events/src (only the ones whose content changed are rewritten) and files the
 * template no longer produces are removed. Output is deterministic: no timestamps, stable order.
 *
 *   npx tsx scripts/codegen/gen-events.ts
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot, runAsyncApiTemplate, writeIfChanged } from './run-asyncapi-template.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

export const eventsSpecPath = path.join(repoRoot, 'specs/events.asyncapi.yaml');
export const eventsTemplatePath = path.join(here, 'asyncapi-template');
export const eventsOutputPath = path.join(repoRoot, 'generated/events/src');

export interface GenerateEventsOptions {
  specPath?: string;
  outputDir?: string;
}

/** Render the events template; returns the absolute paths of the files in the output folder (sorted). */
export async function generateEvents(options: GenerateEventsOptions = {}): Promise<string[]> {
  const specPath = options.specPath ?? eventsSpecPath;
  const outputDir = options.outputDir ?? eventsOutputPath;
  return runAsyncApiTemplate(
    { templateDir: eventsTemplatePath, sourceDirs: ['template', 'lib'], specPath, scratchPrefix: 'gen-events-' },
    async (scratch) => {
      const produced = (await readdir(scratch, { withFileTypes: true }))
        .filter((e) => e.isFile())
        .map((e) => e.name)
        .sort();
      if (produced.length === 0) throw new Error('the events template produced no files');
      await mkdir(outputDir, { recursive: true });
      const written: string[] = [];
      for (const name of produced) {
        const target = path.join(outputDir, name);
        await writeIfChanged(target, await readFile(path.join(scratch, name), 'utf8'));
        written.push(target);
      }
      for (const entry of await readdir(outputDir, { withFileTypes: true })) {
        if (entry.isFile() && !produced.includes(entry.name)) await rm(path.join(outputDir, entry.name));
      }
      return written;
    },
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const files = await generateEvents();
  const ms = Math.round(performance.now() - started);
  for (const file of files) console.log(`wrote ${path.relative(process.cwd(), file)}`);
  console.log(`generated/events: ${files.length} files in ${ms} ms`);
}
