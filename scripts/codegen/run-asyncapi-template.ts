/**
 * Runs one of the in-repo AsyncAPI React templates through @asyncapi/generator, offline, into a
 * fresh temporary folder, and hands back the files it produced. Shared by `make gen`
 * (generated/events) and `make docs` (docs/asyncapi).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

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

/** Hash of a template's sources (the given folders and package.json), in a stable order. */
async function templateSourceHash(templateDir: string, sourceDirs: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const dir of sourceDirs) {
    const names = (await readdir(path.join(templateDir, dir))).sort();
    for (const name of names) hash.update(`${dir}/${name}\0`).update(await readFile(path.join(templateDir, dir, name)));
  }
  hash.update(await readFile(path.join(templateDir, 'package.json')));
  return hash.digest('hex');
}

export interface TemplateRun {
  templateDir: string;
  /** Folders of the template whose content decides whether it must be transpiled again. */
  sourceDirs: readonly string[];
  specPath: string;
  /** Prefix of the temporary folder's name. */
  scratchPrefix: string;
}

/**
 * Render `specPath` with the template and call `collect(scratchDir)` on the output before the
 * scratch folder is removed. Transpiling the template (rollup + babel, into its git-ignored
 * `__transpiled/`) is skipped while its sources are unchanged.
 */
export async function runAsyncApiTemplate<T>(run: TemplateRun, collect: (scratchDir: string) => Promise<T>): Promise<T> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), run.scratchPrefix));
  const transpiledDir = path.join(run.templateDir, '__transpiled');
  const transpiledStamp = path.join(transpiledDir, '.source-hash');
  try {
    const sourceHash = await templateSourceHash(run.templateDir, run.sourceDirs);
    const compiledHash = await readFile(transpiledStamp, 'utf8').catch(() => '');
    const compile = compiledHash !== sourceHash;
    if (compile) await rm(transpiledDir, { recursive: true, force: true });
    const Generator = loadGenerator();
    const generator = new Generator(run.templateDir, scratch, {
      forceWrite: true,
      install: false,
      compile,
      templateParams: { specPath: path.relative(repoRoot, run.specPath).split(path.sep).join('/') },
    });
    await generator.generateFromFile(run.specPath);
    if (compile) await writeFile(transpiledStamp, sourceHash);
    return await collect(scratch);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Write `content` to `target` only when it differs (keeps mtimes of unchanged generated files). */
export async function writeIfChanged(target: string, content: string): Promise<void> {
  const current = await readFile(target, 'utf8').catch(() => undefined);
  if (current !== content) await writeFile(target, content);
}
