import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkContracts, writeChangelog } from '../check-contracts.ts';
import type { Contract, ContractPaths } from '../contracts.ts';
import { releaseContracts } from '../release-contracts.ts';
import { fixtureContract, fixturePath } from './fixtures.ts';

const contracts: Contract[] = [fixtureContract('openapi'), fixtureContract('asyncapi')];

/** A repo-like folder: specs/ holding `variant` of both fixtures, specs/released/ the released ones. */
async function layout(root: string, variant: string): Promise<ContractPaths> {
  const paths = { specsDir: path.join(root, 'specs'), releasedDir: path.join(root, 'specs/released'), changelogPath: path.join(root, 'docs/API-CHANGELOG.md') };
  await mkdir(paths.releasedDir, { recursive: true });
  for (const c of contracts) {
    await copyFile(fixturePath(c.kind, 'released'), path.join(paths.releasedDir, c.file));
    await copyFile(fixturePath(c.kind, variant), path.join(paths.specsDir, c.file));
  }
  await writeChangelog(paths.changelogPath, await checkContracts(paths, contracts));
  return paths;
}

describe('releasing the contracts (npm run contracts:release)', function () {
  this.timeout(60_000);
  let root = '';
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'contracts-release-test-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('moves the Unreleased changes under a dated Released section and refreshes the snapshot', async () => {
    const paths = await layout(root, 'add-optional-field');
    const result = await releaseContracts('2026-12-01', paths, contracts);
    assert.equal(result.released, true, result.lines.join('\n'));

    for (const c of contracts) {
      assert.equal(await readFile(path.join(paths.releasedDir, c.file), 'utf8'), await readFile(path.join(paths.specsDir, c.file), 'utf8'));
    }
    const changelog = await readFile(paths.changelogPath, 'utf8');
    const [unreleased, released] = changelog.split('\n## Released\n');
    assert.match(unreleased ?? '', /### Widget API \(`specs\/widget\.openapi\.yaml`\) 1\.1\.0\n\nNo changes\./);
    assert.match(unreleased ?? '', /### Widget events \(`specs\/widget\.asyncapi\.yaml`\) 1\.1\.0\n\nNo changes\./);
    assert.match(released ?? '', /^\n### 2026-12-01: Widget API 1\.1\.0, Widget events 1\.1\.0\n/);
    assert.match(released ?? '', /^#### Widget API \(`specs\/widget\.openapi\.yaml`\) 1\.0\.0 → 1\.1\.0$/m);
    assert.match(released ?? '', /\[Added\] property `colour` in Request Body content/);

    // the next check compares with the new snapshot: nothing to report, the changelog stays as released
    const after = await checkContracts(paths, contracts);
    assert.deepEqual(after.map((r) => r.changes.length), [0, 0]);
    assert.equal(await writeChangelog(paths.changelogPath, after), changelog);
  });

  it('refuses to release while the gate fails, and writes nothing', async () => {
    const paths = await layout(root, 'remove-field');
    const before = await readFile(paths.changelogPath, 'utf8');
    const result = await releaseContracts('2026-12-01', paths, contracts);
    assert.equal(result.released, false);
    assert.equal(result.lines.at(-1), 'not released: the breaking-change gate fails');
    assert.equal(await readFile(paths.changelogPath, 'utf8'), before);
    for (const c of contracts) {
      assert.equal(await readFile(path.join(paths.releasedDir, c.file), 'utf8'), await readFile(fixturePath(c.kind, 'released'), 'utf8'));
    }
  });
});
