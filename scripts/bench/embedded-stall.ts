/**
 * Embedded mode under load (issue 13, "embedded mode without stalls"): starts `npm start`'s system
 * in this process (scripts/dev.ts: SQLite, in-memory broker, all three services, the mail catcher)
 * on free ports and a fresh data folder, then runs wrk against `/health` and against the cards list
 * while `perf_hooks.monitorEventLoopDelay` watches this process's event loop, and prints per phase:
 * req/s, p50/p99 latency and the event-loop delay (p50/p99/max). Aim: cards list ≥ 0.5 of
 * `/health`, p99 ≤ 50 ms.
 *
 *   npx tsx --conditions=bank-source scripts/bench/embedded-stall.ts   # BENCH_SECONDS (5)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { freePort } from '@bank/testkit';
import { startEmbedded } from '../dev.ts';
import { createBenchData } from './bench-data.ts';
import { runWrk, type WrkRun } from './bench-processes.ts';
import { figureLine, fmt, ratioPart } from './report.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const dataDir = mkdtempSync(join(tmpdir(), 'embedded-stall-'));
const ports = { bank: await freePort(), log: await freePort(), email: await freePort(), smtp: await freePort(), inbox: await freePort() };
const system = await startEmbedded(
  {
    ...process.env,
    LOG_LEVEL: 'warn',
    DEV_DATA_DIR: dataDir,
    BANK_PORT: String(ports.bank),
    LOG_PORT: String(ports.log),
    EMAIL_PORT: String(ports.email),
    CATCHER_SMTP_PORT: String(ports.smtp),
    CATCHER_HTTP_PORT: String(ports.inbox),
  },
  { announce: () => undefined },
);

const ms = (ns: number): number => ns / 1e6;
async function phase(name: string, url: string, headers: Record<string, string> = {}): Promise<WrkRun> {
  await runWrk({ url, durationSeconds: 2, headers, script: 'get.lua' });
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const run = await runWrk({ url, durationSeconds: SECONDS, headers, script: 'get.lua' });
  delay.disable();
  const r = run.result;
  console.log(
    figureLine(name, [
      `${fmt.rate(r.requestsPerSecond)} req/s p50 ${fmt.f(r.p50Ms)} ms p99 ${fmt.f(r.p99Ms)} ms`,
      `event-loop delay p50 ${fmt.f(ms(delay.percentile(50)))} ms p99 ${fmt.f(ms(delay.percentile(99)))} ms max ${fmt.f(ms(delay.max))} ms`,
    ]),
  );
  return run;
}

try {
  const data = await createBenchData(system.urls.bank, { email: 'admin@example.com', password: 'adminpass' });
  // the loop without load: what the background work alone (relays, consumers, pollers) costs it
  const idle = monitorEventLoopDelay({ resolution: 5 });
  idle.enable();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  idle.disable();
  console.log(
    figureLine('embedded idle', [`event-loop delay p50 ${fmt.f(ms(idle.percentile(50)))} ms p99 ${fmt.f(ms(idle.percentile(99)))} ms max ${fmt.f(ms(idle.max))} ms`]),
  );
  const health = await phase('embedded /health', `${system.urls.bank}/health`);
  const cards = await phase('embedded cards', `${system.urls.bank}/api/accounts/${data.accountId}/cards`, { Authorization: `Bearer ${data.userToken}` });
  const ratio = ratioPart(cards.result.requestsPerSecond, health.result.requestsPerSecond, { min: 0.5 });
  console.log(figureLine('embedded ratio', [`cards / health ${ratio.text}`, `cards p99 ${fmt.f(cards.result.p99Ms)} ms (aim ≤ 50 ms) ${cards.result.p99Ms <= 50 ? 'MET' : 'MISSED'}`]));
} finally {
  await system.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(0);
