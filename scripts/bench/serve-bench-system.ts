/**
 * Start the benchmark's system and data and keep it running for manual runs and profiling:
 * prints `SYSTEM {json}` (URLs, database, tokens, ids) and stops everything on SIGINT/SIGTERM.
 * With CPU_PROFILE_DIR=<dir> every service loads scripts/bench/cpu-profile-hook.ts and writes
 * <dir>/<pid>.cpuprofile when it exits (Node 20 refuses --cpu-prof in NODE_OPTIONS).
 *
 *   node --import tsx --conditions=bank-source scripts/bench/serve-bench-system.ts
 */
import { fileURLToPath } from 'node:url';
import { startSystem } from '../e2e/service-processes.ts';
import { createBenchData } from './bench-data.ts';

const profileDir = process.env.CPU_PROFILE_DIR;
const hook = fileURLToPath(new URL('./cpu-profile-hook.ts', import.meta.url));
const system = await startSystem({
  prefix: 'bench',
  ...(profileDir ? { env: { NODE_OPTIONS: `--import=tsx --conditions=bank-source --import=${hook}`, CPU_PROFILE_DIR: profileDir } } : {}),
});
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void system.stop().finally(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
try {
  const data = await createBenchData(system.bank.url, { email: system.adminEmail, password: system.adminPassword });
  console.log(
    `SYSTEM ${JSON.stringify({
      bank: system.bank.url,
      log: system.log.url,
      databaseUrl: system.databaseUrl,
      pids: { bank: system.bank.child.pid, log: system.log.child.pid, email: system.email.child.pid, catcher: system.catcher.child.pid },
      ...data,
    })}`,
  );
} catch (err) {
  console.error(err);
  stop();
}
