/**
 * Writes one generated package folder: files whose content changed are rewritten, files the
 * generator no longer produces are removed, and what is not generated (build output, installed
 * packages, and folders another generator owns) is left alone.
 */
import { mkdir, readdir, rm, rmdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { writeIfChanged } from './run-asyncapi-template.ts';

/** Never generated, never pruned. */
const NOT_GENERATED = ['node_modules', 'dist'];

async function listFiles(dir: string, skip: readonly string[]): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    if (skip.includes(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path, [])));
    else files.push(path);
  }
  return files;
}

/**
 * Make `<root>/<dir>` hold exactly `files` (relative path → content), apart from dist/,
 * node_modules/ and the top-level folders in `keep`. Returns the paths (relative to root) of `files`.
 */
export async function syncGeneratedTree(root: string, dir: string, files: Record<string, string>, keep: readonly string[] = []): Promise<string[]> {
  const base = join(root, dir);
  for (const [file, content] of Object.entries(files)) {
    const target = join(base, file);
    await mkdir(dirname(target), { recursive: true });
    await writeIfChanged(target, content);
  }
  for (const existing of await listFiles(base, [...NOT_GENERATED, ...keep])) {
    const name = relative(base, existing).split('\\').join('/');
    if (files[name] !== undefined) continue;
    await rm(existing);
    // drop folders left empty (rmdir fails on a non-empty one, which is what we want)
    for (let parent = dirname(existing); parent !== base; parent = dirname(parent)) {
      if (!(await rmdir(parent).then(() => true, () => false))) break;
    }
  }
  return Object.keys(files).map((file) => `${dir}/${file}`);
}
