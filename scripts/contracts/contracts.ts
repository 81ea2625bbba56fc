/**
 * The contracts the breaking-change gate watches, where their released snapshot lives and where
 * the API changelog is written.
 *
 *   specs/<file>            the contracts as they are now
 *   specs/released/<file>   the contracts as last released (refreshed by `npm run contracts:release`)
 *   docs/API-CHANGELOG.md   written from the diff by `npm run contracts:check`
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type ContractKind = 'openapi' | 'asyncapi';

export interface Contract {
  /** File name, the same in specs/ and specs/released/. */
  file: string;
  kind: ContractKind;
}

export const CONTRACTS: readonly Contract[] = [
  { file: 'bank.openapi.yaml', kind: 'openapi' },
  { file: 'log.openapi.yaml', kind: 'openapi' },
  // not released yet: diffed from an empty document (every operation is an addition) until `contracts:release`
  { file: 'email.openapi.yaml', kind: 'openapi' },
  { file: 'events.asyncapi.yaml', kind: 'asyncapi' },
];

export interface ContractPaths {
  /** Folder of the current contracts. */
  specsDir: string;
  /** Folder of the released snapshot. */
  releasedDir: string;
  /** The API changelog. */
  changelogPath: string;
}

export const DEFAULT_PATHS: ContractPaths = {
  specsDir: path.join(repoRoot, 'specs'),
  releasedDir: path.join(repoRoot, 'specs/released'),
  changelogPath: path.join(repoRoot, 'docs/API-CHANGELOG.md'),
};
