// Every own server instance (RabbitMQ node, MariaDB instance) lives in a folder of its own under
// <tmp>/bank-testkit/, marked with the pid of the test process that owns it. Its server process
// names that folder on its command line, which is how it is found again:
//   - when the owner exits without cleaning up (a forgotten `after`), an exit hook kills what it
//     started and removes the folders;
//   - when the owner died outright (kill -9, a crash), the next run's first instance reaps the
//     folders whose owner is gone, killing their servers, so a leftover never holds ports or memory.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(tmpdir(), 'bank-testkit');
const OWNER_FILE = 'owner.json';

/** Pids of the processes whose command line contains `text` (read from /proc). */
export function processesNaming(text: string): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').some((arg) => arg.includes(text))) pids.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

/** True while `pid` exists (and is not a zombie). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Kill every process naming `folder` and delete it (synchronous: usable in an exit hook). */
function destroyFolder(folder: string): void {
  for (const pid of processesNaming(folder)) killQuietly(pid);
  rmSync(folder, { recursive: true, force: true });
}

const live = new Set<string>();
let hooked = false;
let reaped = false;

function reapOrphans(): void {
  if (reaped) return;
  reaped = true;
  let names: string[];
  try {
    names = readdirSync(ROOT);
  } catch {
    return;
  }
  for (const name of names) {
    const folder = join(ROOT, name);
    let owner: number | undefined;
    try {
      owner = (JSON.parse(readFileSync(join(folder, OWNER_FILE), 'utf8')) as { pid?: number }).pid;
    } catch {
      continue; // not one of ours, or still being created
    }
    if (typeof owner === 'number' && !isAlive(owner)) destroyFolder(folder);
  }
}

/**
 * A fresh folder `<tmp>/bank-testkit/<kind>-<label>-XXXXXX` owned by this process. Reaps the
 * folders of dead owners first (once per process); the folder is destroyed at process exit unless
 * `releaseInstanceFolder` was called.
 */
export function createInstanceFolder(kind: string, label: string): string {
  reapOrphans();
  mkdirSync(ROOT, { recursive: true });
  const folder = mkdtempSync(join(ROOT, `${kind}-${label}-`));
  writeFileSync(join(folder, OWNER_FILE), JSON.stringify({ pid: process.pid, started: new Date().toISOString() }));
  live.add(folder);
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const f of live) destroyFolder(f);
    });
  }
  return folder;
}

/** Kill whatever still runs from `folder`, delete it, and forget it. */
export function releaseInstanceFolder(folder: string): void {
  destroyFolder(folder);
  live.delete(folder);
}
