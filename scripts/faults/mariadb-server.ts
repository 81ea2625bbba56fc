/**
 * Stop and start this machine's MariaDB server (shared by every suite: run a restart only from a
 * test that owns the moment, and always `ensureMariadbRunning()` in its `after`).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ADMIN_ARGS = ['-uroot', '-h127.0.0.1', '--connect-timeout=2'];
const SERVER_BINARY = '/usr/sbin/mariadbd';

/** `mysqladmin ping` answers. */
export async function mariadbAnswers(): Promise<boolean> {
  try {
    await run('mysqladmin', [...ADMIN_ARGS, 'ping'], { timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

/** A mariadbd process exists (it may still be shutting down). */
async function serverProcessExists(): Promise<boolean> {
  try {
    await run('pidof', ['mariadbd']);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`MariaDB: ${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `mysqladmin shutdown`, then wait until the server no longer answers and its process is gone. */
export async function shutdownMariadb(timeoutMs = 60_000): Promise<void> {
  await run('mysqladmin', [...ADMIN_ARGS, 'shutdown'], { timeout: timeoutMs });
  await until(async () => !(await mariadbAnswers()) && !(await serverProcessExists()), timeoutMs, 'shut down');
}

/** Start mariadbd in the background (as the system's configuration says) and wait until it answers a ping. */
export async function startMariadb(timeoutMs = 60_000): Promise<void> {
  await until(async () => !(await serverProcessExists()) || (await mariadbAnswers()), timeoutMs, 'old process gone');
  if (!(await mariadbAnswers())) {
    await run('start-stop-daemon', ['--start', '--oknodo', '--background', '--exec', SERVER_BINARY], { timeout: 10_000 });
  }
  await until(mariadbAnswers, timeoutMs, 'answering a ping');
}

/** For `after` hooks: start the server again unless it answers already. */
export async function ensureMariadbRunning(): Promise<void> {
  if (!(await mariadbAnswers())) await startMariadb();
}
