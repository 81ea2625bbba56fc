/**
 * Profiling aid (Node 20 refuses --cpu-prof in NODE_OPTIONS): load with
 * `NODE_OPTIONS=--import=./scripts/bench/cpu-profile-hook.ts` and CPU_PROFILE_DIR=<dir>; the
 * process's CPU profile is written to <dir>/<pid>.cpuprofile when it exits (open it in Chrome
 * DevTools or summarise it with scripts/bench/profile-summary.ts).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  process.once('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
