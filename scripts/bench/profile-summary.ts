/**
 * Summarise a .cpuprofile: self time per function and per file (top N), to find where a service
 * spends its CPU under a benchmark. `node --import tsx --conditions=bank-source scripts/bench/profile-summary.ts <file> [N]`
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

const file = process.argv[2];
const top = Number(process.argv[3] ?? 25);
if (!file) {
  console.error('usage: profile-summary.ts <file.cpuprofile> [N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const hits = new Map<number, number>();
for (const id of profile.samples ?? []) hits.set(id, (hits.get(id) ?? 0) + 1);
const total = [...hits.values()].reduce((a, b) => a + b, 0);

const shortUrl = (url: string): string => url.replace(/^file:\/\/\/work\/main\//, '').replace(/.*node_modules\//, 'nm:');
const selfByFunction = new Map<string, number>();
const selfByFile = new Map<string, number>();
const selfByPackage = new Map<string, number>();
for (const [id, count] of hits) {
  const node = byId.get(id);
  if (!node) continue;
  const url = shortUrl(node.callFrame.url);
  const fn = `${node.callFrame.functionName || '(anonymous)'} ${url}:${node.callFrame.lineNumber + 1}`;
  selfByFunction.set(fn, (selfByFunction.get(fn) ?? 0) + count);
  selfByFile.set(url || node.callFrame.functionName, (selfByFile.get(url || node.callFrame.functionName) ?? 0) + count);
  const pkg = url.startsWith('nm:') ? url.slice(3).split('/').slice(0, url.slice(3).startsWith('@') ? 2 : 1).join('/') : url === '' ? node.callFrame.functionName : url.split('/')[0] ?? url;
  selfByPackage.set(pkg, (selfByPackage.get(pkg) ?? 0) + count);
}

// Inclusive time per function name: a sample counts once for each distinct function on its stack.
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const inclusive = new Map<string, number>();
for (const [id, count] of hits) {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const node = byId.get(cur);
    if (!node) break;
    const key = `${node.callFrame.functionName || '(anonymous)'} ${shortUrl(node.callFrame.url)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + count);
  }
}

const print = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [name, count] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * count) / total).toFixed(1).padStart(6)}%  ${name}`);
  }
};
console.log(`${total} samples`);
print('self time by package / folder', selfByPackage);
print('self time by file', selfByFile);
print('self time by function', selfByFunction);
print('inclusive time by function', inclusive);
