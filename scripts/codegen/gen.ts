/**
 * `make gen` / `npm run gen`: regenerate all of generated/ from specs/. Deterministic (no
 * timestamps, spec order), so CI can fail on drift. Writes only files whose content changed and
 * removes files the generators no longer produce (build output and node_modules are left alone).
 *
 *   generated/client     @contract-bank/client  openapi-typescript types + openapi-fetch clients + auth helper
 *   generated/bank-api   @bank/bank-api         handler interface, operation table, Express mount, spec copy
 *   generated/log-api    @bank/log-api          the same for the log API
 *   generated/email-api  @bank/email-api        the same for the email API (health, readiness, dead letters)
 *   generated/events     @bank/events           AsyncAPI payload types, validators, topology, publish/consume
 */
import { fileURLToPath } from 'node:url';
import { generateEventsDocs } from './gen-events-docs.ts';
import { generateEvents } from './gen-events.ts';
import { generateOpenApi } from './gen-openapi.ts';
import { highestVersion, renderPackageFiles } from './generated-packages.ts';
import { syncGeneratedTree } from './generated-tree.ts';
import { repoRoot } from './run-asyncapi-template.ts';

const APIS = [
  { name: 'bank-api', spec: 'specs/bank.openapi.yaml' },
  { name: 'log-api', spec: 'specs/log.openapi.yaml' },
  { name: 'email-api', spec: 'specs/email.openapi.yaml' },
] as const;

/** Regenerate everything; returns the paths of the generated files (relative to the repo root). */
export async function generateAll(root: string = repoRoot): Promise<string[]> {
  const outputs = await Promise.all(APIS.map((target) => generateOpenApi(root, target)));
  // One package holds the clients of every API: its version is the highest `info.version` of them.
  const clientVersion = highestVersion(outputs.map((o) => o.version));
  const packages = await renderPackageFiles(root, clientVersion);

  const clientFiles: Record<string, string> = { ...packages['generated/client'] };
  APIS.forEach((target, i) => {
    for (const [file, content] of Object.entries(outputs[i]!.client)) clientFiles[`src/${target.name}/${file}`] = content;
  });

  const written: string[] = [];
  written.push(...(await syncGeneratedTree(root, 'generated/client', clientFiles)));
  for (const [i, target] of APIS.entries()) {
    written.push(...(await syncGeneratedTree(root, `generated/${target.name}`, { ...packages[`generated/${target.name}`], ...outputs[i]!.server })));
  }
  // generated/events/src is written (and pruned) by the AsyncAPI template run below.
  written.push(...(await syncGeneratedTree(root, 'generated/events', packages['generated/events']!, ['src'])));
  const events = await generateEvents();
  written.push(...events.map((file) => file.slice(root.length + 1)));
  // generated/events/src/docs/: the AsyncAPI page bank-service serves (after the template run, which prunes src/ files only)
  written.push((await generateEventsDocs()).slice(root.length + 1));
  return written.sort();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const files = await generateAll();
  console.log(`generated ${files.length} files in ${Math.round(performance.now() - started)} ms`);
}
