/**
 * Start-up figure of `make bench`: each service started alone, compiled (`node <service>/dist/src/main.js`,
 * as production runs it) and from source (`node --import tsx …/src/main.ts`), in interleaved rounds
 * (compiled first in even rounds, tsx first in odd ones) so a change of the machine's load hits both
 * alike. Time to ready = spawn until `/ready` answers 200 (database, broker and consumers up); idle
 * RSS = VmRSS one second later. Prints one line per service with the medians, the compiled aim
 * (≤ 1.5 s to ready, ≤ 120 MiB idle) and the tsx figures beside it.
 *
 * Needs `npm run build` (`npm run bench` builds first). Runs on its own fresh vhost and database.
 * Alone: `npm run -s build && node --import tsx --conditions=bank-source scripts/bench/startup.ts`
 * (BENCH_STARTUP_ROUNDS, default 3).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, createTestVhost, freePort } from '@bank/testkit';
import { createMailCatcher } from '../../email-service/src/catcher/index.ts';
import { JWT_SECRET, serviceNodeArgs, type ServiceRuntime } from '../e2e/service-processes.ts';
import { figureLine, fmt } from './report.ts';
import { rssMiB } from './rss-sampler.ts';
import { percentiles } from './stats.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SERVICES = ['bank-service', 'log-service', 'email-service'] as const;
type Service = (typeof SERVICES)[number];
const RUNTIMES: readonly ServiceRuntime[] = ['compiled', 'source'];
const AIM = { readySeconds: 1.5, idleMiB: 120 };
const IDLE_AFTER_MS = 1000;

export interface StartupSample {
  readyMs: number;
  idleMiB: number;
}

export type StartupFigures = Record<Service, Record<ServiceRuntime, StartupSample[]>>;

async function spawnUntilReady(service: Service, runtime: ServiceRuntime, env: Record<string, string>): Promise<StartupSample> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, serviceNodeArgs(runtime, `${service}/src/main.ts`), {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${service} (${runtime}) exited with ${child.exitCode}: ${stderr}`);
      if (performance.now() - started > 30_000) throw new Error(`${service} (${runtime}) not ready after 30 s: ${stderr}`);
      const ready = await fetch(`http://127.0.0.1:${port}/ready`).then(
        (res) => res.ok,
        () => false,
      );
      if (ready) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const readyMs = performance.now() - started;
    await new Promise((r) => setTimeout(r, IDLE_AFTER_MS));
    return { readyMs, idleMiB: rssMiB(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** Start every service `rounds` times per runtime, interleaved; `note` reports progress. */
export async function measureStartup(rounds: number, note: (line: string) => void = () => {}): Promise<StartupFigures> {
  for (const service of SERVICES) {
    if (!existsSync(join(ROOT, service, 'dist/src/main.js'))) throw new Error(`${service}/dist is missing: run \`npm run build\` first`);
  }
  const [vhost, database, dir] = await Promise.all([createTestVhost('bench-startup'), createTestDatabase('bench_startup'), mkdtemp(join(tmpdir(), 'bench-startup-'))]);
  const catcher = createMailCatcher({ smtpPort: 0, httpPort: 0 });
  try {
    const { smtpPort } = await catcher.start();
    const common = { APP_ENV: 'test', LOG_LEVEL: 'warn', AMQP_URI: vhost.url, JWT_SECRET_KEY: JWT_SECRET };
    const environments: Record<Service, Record<string, string>> = {
      'bank-service': { ...common, DATABASE_URL: database.url, LOG_SERVICE_URL: 'http://127.0.0.1:9' },
      'log-service': { ...common, LOG_STORE_URL: `sqlite:${join(dir, 'logs.sqlite')}` },
      'email-service': {
        ...common,
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        SENT_STORE_URL: `sqlite:${join(dir, 'email.sqlite')}`,
        EMAIL_RECEIVERS: 'ops@example.com',
      },
    };
    // the schema, once (bank-service's /ready reads the database)
    await new Promise<void>((done, fail) => {
      const init = spawn(process.execPath, ['bank-service/dist/src/cli.js', 'init'], {
        cwd: ROOT,
        env: { ...process.env, ...environments['bank-service'], ADMIN_EMAIL: 'admin@example.com', ADMIN_PASS: 'startup-bench-admin' },
        stdio: 'ignore',
      });
      init.once('exit', (code) => (code === 0 ? done() : fail(new Error(`bank-service init exited ${code}`))));
    });

    const figures = Object.fromEntries(SERVICES.map((s) => [s, { compiled: [], source: [] }])) as unknown as StartupFigures;
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? RUNTIMES : [...RUNTIMES].reverse();
      for (const service of SERVICES) {
        for (const runtime of order) figures[service][runtime].push(await spawnUntilReady(service, runtime, environments[service]));
      }
      note(`startup round ${round + 1}/${rounds} done`);
    }
    return figures;
  } finally {
    await catcher.stop();
    await Promise.all([vhost.delete(), database.drop(), rm(dir, { recursive: true, force: true })]);
  }
}

/** One line per service: compiled medians against the aim, tsx medians beside them. */
export function startupLines(figures: StartupFigures): { lines: string[]; met: boolean } {
  let met = true;
  const lines = SERVICES.map((service) => {
    const median = (runtime: ServiceRuntime, key: keyof StartupSample) => percentiles(figures[service][runtime].map((s) => s[key])).p50;
    const compiledReady = median('compiled', 'readyMs') / 1000;
    const compiledRss = median('compiled', 'idleMiB');
    const ok = compiledReady <= AIM.readySeconds && compiledRss <= AIM.idleMiB;
    met &&= ok;
    return figureLine(`startup ${service.replace('-service', '')}`, [
      `compiled ready ${fmt.f(compiledReady, 2)} s idle ${fmt.f(compiledRss, 0)} MiB`,
      `tsx ready ${fmt.f(median('source', 'readyMs') / 1000, 2)} s idle ${fmt.f(median('source', 'idleMiB'), 0)} MiB`,
      `medians of ${figures[service].compiled.length} interleaved rounds; aim compiled ≤ ${AIM.readySeconds} s, ≤ ${AIM.idleMiB} MiB ${ok ? 'MET' : 'MISSED'}`,
    ]);
  });
  return { lines, met };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const figures = await measureStartup(Number(process.env.BENCH_STARTUP_ROUNDS ?? 3), (line) => console.error(`  · ${line}`));
  for (const line of startupLines(figures).lines) console.log(line);
}
