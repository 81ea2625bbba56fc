/**
 * `npm run contracts:release`: release the contracts as they are now. Refuses when the gate fails
 * (a breaking change without a raised major version); otherwise moves the changelog's Unreleased
 * section under Released (dated today, UTC) and copies specs/<file> over specs/released/<file>,
 * so the next `contracts:check` compares against this release. Commit both.
 *
 *   npm run contracts:release [-- --date YYYY-MM-DD]
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { releaseChangelog } from './changelog.ts';
import { checkContracts, summarize } from './check-contracts.ts';
import { CONTRACTS, DEFAULT_PATHS, type Contract, type ContractPaths } from './contracts.ts';

export interface ReleaseResult {
  released: boolean;
  lines: string[];
}

/** Release every contract on `date` (YYYY-MM-DD); nothing is written when the gate fails. */
export async function releaseContracts(date: string, paths: ContractPaths = DEFAULT_PATHS, contracts: readonly Contract[] = CONTRACTS): Promise<ReleaseResult> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`--date must be YYYY-MM-DD, got ${date}`);
  const reports = await checkContracts(paths, contracts);
  const lines = summarize(reports);
  if (reports.some((r) => !r.verdict.passed)) return { released: false, lines: [...lines, 'not released: the breaking-change gate fails'] };
  const current = await readFile(paths.changelogPath, 'utf8').catch(() => '');
  await mkdir(paths.releasedDir, { recursive: true });
  for (const c of contracts) await copyFile(path.join(paths.specsDir, c.file), path.join(paths.releasedDir, c.file));
  await mkdir(path.dirname(paths.changelogPath), { recursive: true });
  await writeFile(paths.changelogPath, releaseChangelog(current, reports, date));
  const versions = reports.map((r) => `${r.file} ${r.currentVersion}`).join(', ');
  return { released: true, lines: [...lines, `released ${versions} on ${date}: commit specs/released/ and ${path.relative(process.cwd(), paths.changelogPath)}`] };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { date: { type: 'string' } } });
  const result = await releaseContracts(values.date ?? new Date().toISOString().slice(0, 10));
  for (const line of result.lines) console.log(line);
  if (!result.released) process.exitCode = 1;
}
