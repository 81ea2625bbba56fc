#!/usr/bin/env node
// @ts-check
/**
 * Lays out what one service's production install needs, from this repository's files and the
 * compiled output (`npm run build` first): the root package.json and package-lock.json, and for
 * the service and every workspace it depends on (dependencies, not devDependencies) its
 * package.json and what its `files` field lists (dist/, the API packages' openapi.yaml, …).
 * `npm ci --omit=dev --workspace <service>` in the folder then installs exactly what the service
 * uses. Used by the Docker images and by the production-install tests.
 *
 *   node scripts/ship/stage-service.mjs <service> <folder> [--manifests-only]
 *
 * Plain JavaScript on purpose: it runs with `node` alone (in the image's build stage too).
 */
import console from 'node:console';
import { cp, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** @param {string} path */
async function readJson(path) {
  return JSON.parse(await readFile(path, 'utf8'));
}

/**
 * Workspace folders by package name.
 * @param {string} root
 * @returns {Promise<Map<string, string>>}
 */
export async function workspaceFolders(root = REPO_ROOT) {
  const manifest = await readJson(join(root, 'package.json'));
  /** @type {Map<string, string>} */
  const folders = new Map();
  for (const folder of /** @type {string[]} */ (manifest.workspaces)) {
    const workspace = await readJson(join(root, folder, 'package.json'));
    folders.set(workspace.name, folder);
  }
  return folders;
}

/**
 * The service's folder and those of the workspaces it depends on at run time, in dependency order.
 * @param {string} service a workspace folder or package name, e.g. `bank-service`
 * @param {string} root
 * @returns {Promise<string[]>}
 */
export async function runtimeWorkspaces(service, root = REPO_ROOT) {
  const folders = await workspaceFolders(root);
  const start = folders.get(service) ?? [...folders.values()].find((folder) => folder === service);
  if (start === undefined) throw new Error(`${service} is not a workspace of ${root}`);
  /** @type {string[]} */
  const order = [];
  /** @param {string} folder */
  const visit = async (folder) => {
    if (order.includes(folder)) return;
    const manifest = await readJson(join(root, folder, 'package.json'));
    for (const name of Object.keys(manifest.dependencies ?? {})) {
      const dependency = folders.get(name);
      if (dependency !== undefined) await visit(dependency);
    }
    order.push(folder);
  };
  await visit(start);
  return order;
}

/**
 * Copy the service's production files into `target`.
 * @param {string} service
 * @param {string} target
 * @param {{ root?: string, manifestsOnly?: boolean }} [options]
 * @returns {Promise<string[]>} the workspace folders staged
 */
export async function stageService(service, target, options = {}) {
  const root = options.root ?? REPO_ROOT;
  const workspaces = await runtimeWorkspaces(service, root);
  await mkdir(target, { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) await cp(join(root, file), join(target, file));
  for (const folder of workspaces) {
    const manifest = await readJson(join(root, folder, 'package.json'));
    await mkdir(join(target, folder), { recursive: true });
    await cp(join(root, folder, 'package.json'), join(target, folder, 'package.json'));
    if (options.manifestsOnly) continue;
    for (const entry of /** @type {string[]} */ (manifest.files ?? [])) {
      const source = join(root, folder, entry);
      const found = await stat(source).catch(() => undefined);
      if (!found) throw new Error(`${folder}/${entry} is missing: run \`npm run build\` (and \`make gen\`) first`);
      await cp(source, join(target, folder, entry), { recursive: true });
    }
  }
  return workspaces;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [service, target, flag] = process.argv.slice(2);
  if (!service || !target || (flag !== undefined && flag !== '--manifests-only')) {
    console.error('usage: node scripts/ship/stage-service.mjs <service> <folder> [--manifests-only]');
    process.exit(2);
  }
  const staged = await stageService(service, resolve(target), { manifestsOnly: flag === '--manifests-only' });
  console.log(`staged ${staged.join(', ')} into ${target}`);
}
