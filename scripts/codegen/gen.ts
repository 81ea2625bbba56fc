/**
 * `make gen` / `npm run gen`: regenerate all of generated/ from specs/. Deterministic (no
 * timestamps, spec order), so CI can fail on drift.
 */
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateEventsDocs } from './gen-events-docs.ts';
import { generateEvents } from './gen-events.ts';
import { generateOpenApi } from './gen-openapi.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function generateAll(): Promise<string[]> {
  const written: string[] = [];
  for (const target of [
    { name: 'bank-api', spec: 'specs/bank.openapi.yaml' },
    { name: 'log-api', spec: 'specs/log.openapi.yaml' },
  ]) {
    await rm(join(root, 'generated', target.name), { recursive: true, force: true });
    written.push(...(await generateOpenApi(root, target)));
  }
  written.push(...(await generateEvents()));
  written.push(await generateEventsDocs());
  return written;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const files = await generateAll();
  console.log(`generated ${files.length} files in ${Math.round(performance.now() - started)} ms`);
}
