import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInstanceFolder, isAlive, processesNaming, releaseInstanceFolder } from '../src/instance-folders.ts';
import { waitFor } from '../src/wait-for.ts';

describe('own-instance folders', () => {
  it('reaps the leftovers of a test process that died: kills what runs from its folder and deletes it', async () => {
    // a folder as a crashed run leaves it: its owner is gone, a "server" still runs from it
    const deadOwner = spawnSync('true').pid!;
    const leftover = join(tmpdir(), 'bank-testkit', `rabbit-leftover-${process.pid}`);
    mkdirSync(leftover, { recursive: true });
    writeFileSync(join(leftover, 'owner.json'), JSON.stringify({ pid: deadOwner }));
    const named = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600_000)', leftover], { stdio: 'ignore', detached: true });
    named.unref();
    await waitFor(() => processesNaming(leftover).includes(named.pid!), { what: 'the leftover process to be listed' });

    // the next instance of any run reaps it (this process has reaped already, so ask a fresh one)
    const script = `import { createInstanceFolder, releaseInstanceFolder } from ${JSON.stringify(new URL('../src/instance-folders.ts', import.meta.url).href)};
releaseInstanceFolder(createInstanceFolder('check', 'reaper'));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    await waitFor(() => !isAlive(named.pid!), { what: 'the leftover process to be killed' });
    assert.equal(existsSync(leftover), false, 'the leftover folder is deleted');
  });

  it('leaves the folders of live owners alone, and deletes its own on release', () => {
    const mine = createInstanceFolder('check', 'own');
    assert.ok(existsSync(join(mine, 'owner.json')));
    releaseInstanceFolder(mine);
    assert.equal(existsSync(mine), false);
  });
});
