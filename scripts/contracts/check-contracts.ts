/**
 * `npm run contracts:check`: the breaking-change gate. Diffs every contract in specs/ against its
 * released snapshot in specs/released/, classifies the changes, writes docs/API-CHANGELOG.md and
 * exits 1 when a contract has a breaking change but kept the released major version.
 *
 *   npm run contracts:check                 (CI: then fails when the changelog it wrote differs from the committed one)
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { diffAsyncApi } from './asyncapi-diff.ts';
import { sortChanges, type ContractChange } from './contract-change.ts';
import { updateChangelog, type ContractReport } from './changelog.ts';
import { CONTRACTS, DEFAULT_PATHS, type Contract, type ContractPaths } from './contracts.ts';
import { diffOpenApi } from './openapi-diff.ts';
import { gateVerdict } from './version-gate.ts';

interface Info {
  info?: { title?: unknown; version?: unknown };
}

function infoOf(document: unknown, label: string): { title: string; version: string } {
  const info = (document as Info).info;
  if (typeof info?.title !== 'string' || typeof info.version !== 'string') throw new Error(`${label}: info.title and info.version are required`);
  return { title: info.title, version: info.version };
}

/** The version a contract never released is diffed from: an OpenAPI document without operations. */
export const UNRELEASED_VERSION = '0.0.0';

/** The released snapshot, or — for an OpenAPI contract never released yet — an empty document of version 0.0.0. */
async function readReleased(contract: Contract, releasedPath: string, current: unknown): Promise<string> {
  try {
    return await readFile(releasedPath, 'utf8');
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ENOENT' || contract.kind !== 'openapi') throw err;
    const { openapi, info } = current as { openapi?: unknown; info?: { title?: unknown } };
    return JSON.stringify({ openapi, info: { title: info?.title, version: UNRELEASED_VERSION }, paths: {} });
  }
}

/** Diff one contract (`releasedPath` → `currentPath`) and judge it. */
export async function checkContract(contract: Contract, releasedPath: string, currentPath: string): Promise<ContractReport> {
  const currentSource = await readFile(currentPath, 'utf8');
  const current: unknown = parse(currentSource);
  const releasedSource = await readReleased(contract, releasedPath, current);
  const released: unknown = parse(releasedSource);
  const releasedInfo = infoOf(released, releasedPath);
  const currentInfo = infoOf(current, currentPath);
  const changes: ContractChange[] = sortChanges(contract.kind === 'openapi' ? diffOpenApi(released, current) : await diffAsyncApi(releasedSource, currentSource));
  return {
    file: contract.file,
    title: currentInfo.title,
    releasedVersion: releasedInfo.version,
    currentVersion: currentInfo.version,
    changes,
    verdict: gateVerdict(releasedInfo.version, currentInfo.version, changes),
  };
}

/** Diff every contract against the snapshot. */
export async function checkContracts(paths: ContractPaths = DEFAULT_PATHS, contracts: readonly Contract[] = CONTRACTS): Promise<ContractReport[]> {
  return Promise.all(contracts.map((c) => checkContract(c, path.join(paths.releasedDir, c.file), path.join(paths.specsDir, c.file))));
}

/** Rewrite the changelog's Unreleased section from the reports; answers the new text. */
export async function writeChangelog(changelogPath: string, reports: readonly ContractReport[]): Promise<string> {
  const current = await readFile(changelogPath, 'utf8').catch(() => '');
  const next = updateChangelog(current, reports);
  if (next !== current) {
    await mkdir(path.dirname(changelogPath), { recursive: true });
    await writeFile(changelogPath, next);
  }
  return next;
}

/** One line per contract and one per breaking change, for the terminal. */
export function summarize(reports: readonly ContractReport[]): string[] {
  const lines: string[] = [];
  for (const r of reports) {
    const count = (level: ContractChange['level']) => r.changes.filter((c) => c.level === level).length;
    lines.push(
      `${r.verdict.passed ? 'ok  ' : 'FAIL'} specs/${r.file} ${r.releasedVersion} → ${r.currentVersion}: ` +
        `${count('breaking')} breaking, ${count('non-breaking')} non-breaking, ${count('deprecated')} deprecated, ${count('annotation')} documentation; ${r.verdict.reason}`,
    );
    for (const c of r.changes.filter((x) => x.level === 'breaking')) {
      lines.push(`       breaking: ${c.location}${c.pointer ? ` ${c.pointer}` : ''}: ${c.description}${c.note ? ` (${c.note})` : ''}`);
    }
  }
  return lines;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const reports = await checkContracts();
  await writeChangelog(DEFAULT_PATHS.changelogPath, reports);
  for (const line of summarize(reports)) console.log(line);
  console.log(`wrote ${path.relative(process.cwd(), DEFAULT_PATHS.changelogPath)} in ${Math.round(performance.now() - started)} ms`);
  if (reports.some((r) => !r.verdict.passed)) process.exitCode = 1;
}
