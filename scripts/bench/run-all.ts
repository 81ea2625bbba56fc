/**
 * `make bench` (= `npm run bench`): starts the system as processes (scripts/e2e/service-processes.ts:
 * catcher, log, email, bank on MariaDB and RabbitMQ, fresh database and vhost), measures every
 * figure against a baseline measured in the same run and prints one line per figure.
 *
 * First the start-up figure (scripts/bench/startup.ts: each service compiled and under tsx, time to
 * ready and idle RSS; needs `npm run build`, which `npm run bench` runs first).
 *
 * Env (all optional): BENCH_SECONDS (10) measured seconds per wrk run, BENCH_EVENTS (5000) events
 * in the pipeline run, BENCH_LATENCY_EVENTS (500), BENCH_STARTUP_ROUNDS (3), BENCH_RUNTIME
 * (`source`, or `compiled`: how the services under load run), BENCH_TIMEOUT_MS (660000) hard limit
 * of the whole run, BENCH_JSON=<file> also writes the figures as JSON, BENCH_ONLY (comma list of
 * startup, cards, ladder, tracing, login, transfers, pipeline, embedded; default all) runs only those figures,
 * BENCH_TRACING_ROUNDS (3) interleaved tracing-on runs of the tracing figure.
 *
 * Everything it starts (services, baselines, wrk, the extra vhost) is stopped/removed on success,
 * failure, timeout and Ctrl-C.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { createTestVhost, type TestVhost } from '@bank/testkit';
import { createDatabase } from '../../bank-service/src/db/database.ts';
import { startSystem, type SystemUnderTest } from '../e2e/service-processes.ts';
import { killAll, runWrk, startNodeScript, type WrkRun } from './bench-processes.ts';
import { createBenchData, type BenchData } from './bench-data.ts';
import { accountCreatedBytes, measureLatency, measureThroughput, type PipelineTarget } from './event-pipeline.ts';
import { benchLadder } from './ladder.ts';
import { figureLine, fmt, machineLines, ratioPart } from './report.ts';
import { RssSampler } from './rss-sampler.ts';
import { measureStartup, startupLines } from './startup.ts';
import { StoredWatcher } from './stored-watcher.ts';
import { benchTracing } from './tracing-overhead.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 5000);
const LATENCY_EVENTS = Number(process.env.BENCH_LATENCY_EVENTS ?? 500);
const STARTUP_ROUNDS = Number(process.env.BENCH_STARTUP_ROUNDS ?? 3);
const RUNTIME = process.env.BENCH_RUNTIME === 'compiled' ? 'compiled' : 'source';
// the event pipeline also runs on classic queues, on a second system (≈ +60 s)
// the tracing figure: three more bank processes and 3 × BENCH_TRACING_ROUNDS + 1 wrk runs (≈ +2 min)
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 660_000);
const TRACING_ROUNDS = Number(process.env.BENCH_TRACING_ROUNDS ?? 3);
const WARMUP_SECONDS = 3;
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : undefined;
const wanted = (figure: string): boolean => ONLY === undefined || ONLY.has(figure);

const say = (line: string): void => console.log(line);
const t0 = Date.now();
const note = (line: string): void => console.error(`  · [${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${line}`);

let system: SystemUnderTest | undefined;
/** The second system of the queue-type comparison (QUEUE_TYPE=classic), while it runs. */
let classicSystem: SystemUnderTest | undefined;
let rawVhost: TestVhost | undefined;
let watcher: StoredWatcher | undefined;
let cleaning: Promise<void> | undefined;

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms).unref())]);
}

/** Stop everything this run started; bounded (SIGKILL after 15 s). */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    killAll();
    watcher?.close();
    const started = system;
    const steps: Array<Promise<unknown>> = [];
    const classic = classicSystem;
    if (classic) steps.push(withTimeout(classic.stop(), 20_000, 'stopping the classic-queue system').catch((err: unknown) => console.error(`cleanup: ${String(err)}`)));
    if (started) {
      steps.push(
        withTimeout(started.stop(), 20_000, 'stopping the services').catch(async (err: unknown) => {
          console.error(`cleanup: ${String(err)}; killing the services`);
          for (const p of [started.bank, started.log, started.email, started.catcher]) p.child.kill('SIGKILL');
          await started.stop().catch(() => undefined); // removes the database and vhost once they are gone
        }),
      );
    }
    if (rawVhost) steps.push(rawVhost.delete().catch((err: unknown) => console.error(`cleanup: ${String(err)}`)));
    await Promise.all(steps);
  })();
  return cleaning;
}

function logStoreFile(pid: number): string {
  const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  const url = environ.find((e) => e.startsWith('LOG_STORE_URL='))?.slice('LOG_STORE_URL='.length);
  if (!url?.startsWith('sqlite:')) throw new Error(`log-service does not use a SQLite store (${url ?? 'unset'})`);
  return url.slice('sqlite:'.length);
}

async function mariadbVersion(): Promise<string> {
  const c = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
  try {
    const [rows] = await c.query('SELECT VERSION() AS v');
    return (rows as Array<{ v: string }>)[0]?.v ?? 'unknown';
  } finally {
    await c.end();
  }
}

function wrkPart(run: WrkRun, unit = 'req/s'): string {
  const r = run.result;
  const failed = Object.entries(r.statuses).filter(([code]) => !code.startsWith('2'));
  const byStatus = failed.length > 0 ? `: ${failed.map(([code, n]) => `${code}×${n}`).join(' ')}` : '';
  const errors = r.non2xx + r.socketErrors > 0 ? ` (${r.non2xx} non-2xx${byStatus}, ${r.socketErrors} socket errors)` : '';
  return `service ${fmt.rate(r.requestsPerSecond)} ${unit} p50 ${fmt.f(r.p50Ms)} ms p99 ${fmt.f(r.p99Ms)} ms${errors}`;
}

interface Figures {
  [name: string]: unknown;
}

async function benchCards(data: BenchData, rss: RssSampler, results: Figures, commands: string[]): Promise<void> {
  const bankUrl = system!.bank.url;
  const path = `/api/accounts/${data.accountId}/cards`;
  const auth = { Authorization: `Bearer ${data.userToken}` };
  const serviceBody = await (await fetch(`${bankUrl}${path}`, { headers: auth })).json();

  const baseline = startNodeScript('cards-baseline-server.ts', [], { DATABASE_URL: system!.databaseUrl });
  const baselineUrl = `http://127.0.0.1:${await baseline.line('READY')}`;
  const baselineBody = await (await fetch(`${baselineUrl}${path}`)).json();
  if (JSON.stringify(serviceBody) !== JSON.stringify(baselineBody) || (serviceBody as { total?: number }).total !== 4) {
    throw new Error(`cards: the baseline answers differently from the service\n${JSON.stringify(serviceBody)}\n${JSON.stringify(baselineBody)}`);
  }

  // Baseline, service, baseline (A-B-A): the baseline figure is the mean of the two runs around the
  // service run, so a change of the machine's load during the run biases the ratio less.
  await runWrk({ url: `${baselineUrl}${path}`, durationSeconds: WARMUP_SECONDS, script: 'get.lua' });
  const before = await runWrk({ url: `${baselineUrl}${path}`, durationSeconds: SECONDS, script: 'get.lua' });
  rss.begin('cards-list');
  await runWrk({ url: `${bankUrl}${path}`, durationSeconds: WARMUP_SECONDS, headers: auth, script: 'get.lua' });
  const service = await runWrk({ url: `${bankUrl}${path}`, durationSeconds: SECONDS, headers: auth, script: 'get.lua' });
  rss.end();
  const after = await runWrk({ url: `${baselineUrl}${path}`, durationSeconds: SECONDS, script: 'get.lua' });
  await baseline.stop();
  const base = { command: before.command, result: { ...before.result, requestsPerSecond: (before.result.requestsPerSecond + after.result.requestsPerSecond) / 2 } };
  note(`cards-list baseline runs: ${fmt.rate(before.result.requestsPerSecond)} and ${fmt.rate(after.result.requestsPerSecond)} req/s`);

  const ratio = ratioPart(service.result.requestsPerSecond, base.result.requestsPerSecond, { min: 0.5 });
  say(figureLine('cards-list', [wrkPart(service), `baseline ${fmt.rate(base.result.requestsPerSecond)} req/s p99 ${fmt.f(base.result.p99Ms)} ms`, ratio.text]));
  results['cards-list'] = { service: service.result, baseline: [before.result, after.result], met: ratio.met };
  commands.push(service.command, `${base.command}   # bare Express + knex: scripts/bench/cards-baseline-server.ts`);
}

async function benchLogin(data: BenchData, rss: RssSampler, results: Figures, commands: string[]): Promise<void> {
  const bankUrl = system!.bank.url;
  interface Argon2Result {
    perSecond: number;
    threadpool: number;
    concurrency: number;
  }
  const rawArgon2 = async (): Promise<Argon2Result> =>
    JSON.parse(await startNodeScript('argon2-baseline.ts', [], { DURATION_MS: '5000' }).line('RESULT', 30_000)) as Argon2Result;
  const argonBefore = await rawArgon2();
  // The limiter (express-rate-limit, skipSuccessfulRequests) counts a login while it is in flight and
  // keeps counting one the client aborted: at most 8 connections (LOGIN_RATE_LIMIT is 10), and the
  // warm-up (whose last requests wrk aborts) logs in as another user than the measured run.
  const connections = 8;
  const warmEnv = { BENCH_EMAIL: data.userEmail, BENCH_PASSWORD: data.userPassword };
  const env = { BENCH_EMAIL: data.loginEmail, BENCH_PASSWORD: data.userPassword };
  rss.begin('login');
  await runWrk({ url: `${bankUrl}/auth/login`, durationSeconds: 2, connections, script: 'login.lua', env: warmEnv });
  const service = await runWrk({ url: `${bankUrl}/auth/login`, durationSeconds: SECONDS, connections, script: 'login.lua', env });
  rss.end();
  const argonAfter = await rawArgon2();
  note(`argon2id baseline runs: ${fmt.rate(argonBefore.perSecond)} and ${fmt.rate(argonAfter.perSecond)} verify/s`);
  const argon = { ...argonBefore, perSecond: (argonBefore.perSecond + argonAfter.perSecond) / 2 };
  const ratio = ratioPart(service.result.requestsPerSecond, argon.perSecond, { min: 0.8 });
  say(
    figureLine('login', [
      wrkPart(service),
      `baseline argon2id verify ${fmt.rate(argon.perSecond)}/s (threadpool ${argon.threadpool}, ${argon.concurrency} in flight)`,
      ratio.text,
    ]),
  );
  results.login = { service: service.result, argon2VerifiesPerSecond: [argonBefore.perSecond, argonAfter.perSecond], met: ratio.met };
  commands.push(service.command, 'node --import tsx --conditions=bank-source scripts/bench/argon2-baseline.ts   # DURATION_MS=5000, UV_THREADPOOL_SIZE default 4');
}

async function benchTransfers(data: BenchData, rss: RssSampler, results: Figures, commands: string[]): Promise<void> {
  const bankUrl = system!.bank.url;
  const [cardA, cardB] = data.cardIds;
  // One statement (one snapshot): two API reads could straddle a transfer still committing.
  const sumOfBalances = async (): Promise<number> => {
    const db = createDatabase(system!.databaseUrl, { pool: { min: 0, max: 1 } });
    try {
      const row = (await db('cards').sum({ total: 'balance' }).whereIn('id', [cardA ?? 0, cardB ?? 0]).first()) as { total: unknown };
      return Number(row.total);
    } finally {
      await db.destroy();
    }
  };
  const before = await sumOfBalances();
  const env = { BENCH_TOKEN: data.userToken, BENCH_CARD_A: String(cardA), BENCH_CARD_B: String(cardB) };
  rss.begin('transfers');
  await runWrk({ url: bankUrl, durationSeconds: WARMUP_SECONDS, script: 'transfers.lua', env: { ...env, BENCH_RUN_ID: `warm-${Date.now()}` } });
  const service = await runWrk({ url: bankUrl, durationSeconds: SECONDS, script: 'transfers.lua', env: { ...env, BENCH_RUN_ID: `run-${Date.now()}` } });
  rss.end();
  await new Promise((r) => setTimeout(r, 500)); // requests wrk aborted at the end still run
  const after = await sumOfBalances();
  const conserved = before === after;
  say(figureLine('transfers', [wrkPart(service), `sum of the two balances ${conserved ? 'unchanged' : `CHANGED ${before} → ${after}`}`, 'no baseline (figure only)']));
  results.transfers = { service: service.result, balancesConserved: conserved };
  commands.push(service.command);
}

interface RawAmqpResult {
  perSecond: number;
  publishPerSecond: number;
  p99: number;
}

/** N messages of `bytes` through raw amqplib (two processes of amqp-baseline.ts) in a fresh vhost. */
async function rawAmqp(events: number, bytes: number): Promise<RawAmqpResult> {
  rawVhost = await createTestVhost('bench-raw');
  try {
    const amqpEnv = { AMQP_URL: rawVhost.url, N: String(events), SIZE: String(bytes), PREFETCH: '50', WINDOW: '1000' };
    const consumer = startNodeScript('amqp-baseline.ts', ['consume'], amqpEnv);
    await consumer.line('READY', 30_000);
    const publisher = startNodeScript('amqp-baseline.ts', ['publish'], amqpEnv);
    const published = JSON.parse(await publisher.line('RESULT', 60_000)) as { startAt: number; confirmedAt: number; failed: number };
    const consumed = JSON.parse(await consumer.line('RESULT', 60_000)) as { lastAt: number; latencies: { p50: number; p99: number } };
    if (published.failed > 0) throw new Error(`amqplib baseline: ${published.failed} publishes were not confirmed`);
    return {
      perSecond: events / ((consumed.lastAt - published.startAt) / 1000),
      publishPerSecond: events / ((published.confirmedAt - published.startAt) / 1000),
      p99: consumed.latencies.p99,
    };
  } finally {
    await rawVhost.delete();
    rawVhost = undefined;
  }
}

async function benchPipeline(data: BenchData, rss: RssSampler, results: Figures, commands: string[]): Promise<void> {
  watcher = new StoredWatcher(logStoreFile(system!.log.child.pid!));
  watcher.start();
  const target: PipelineTarget = {
    bankUrl: system!.bank.url,
    databaseUrl: system!.databaseUrl,
    userToken: data.userToken,
    userId: data.userId,
    clientId: data.clientId,
    bankId: data.bankId,
    watcher,
  };
  const messageBytes = await accountCreatedBytes(target);
  const rawBefore = await rawAmqp(EVENTS, messageBytes);
  rss.begin('event-pipeline');
  const latency = await measureLatency(target, LATENCY_EVENTS, 8);
  const withMail = await measureThroughput(target, EVENTS);
  // The ratio figure measures the brief's path, outbox → RabbitMQ → log-service: email-service (and
  // through it the mail catcher, a test double that parses every mail) would otherwise take CPU
  // from log-service on this 2-core machine. Its copies of the events wait in its queue.
  await system!.email.stop();
  const throughput = await measureThroughput(target, EVENTS);
  rss.end();
  const rawAfter = await rawAmqp(EVENTS, messageBytes);
  note(`amqplib baseline runs: ${fmt.rate(rawBefore.perSecond)} and ${fmt.rate(rawAfter.perSecond)} msg/s`);
  const rawPerSecond = (rawBefore.perSecond + rawAfter.perSecond) / 2;
  const rawPublishPerSecond = (rawBefore.publishPerSecond + rawAfter.publishPerSecond) / 2;
  const consumed = { latencies: { p99: Math.max(rawBefore.p99, rawAfter.p99) } };

  const ratio = ratioPart(throughput.eventsPerSecond, rawPerSecond, { min: 0.7 });
  say(
    figureLine('event-pipeline', [
      `service ${fmt.rate(throughput.eventsPerSecond)} events/s (${throughput.events} in ${fmt.f(throughput.seconds, 2)} s; relay done after ${fmt.f(throughput.relaySeconds, 2)} s)`,
      `baseline amqplib ${fmt.rate(rawPerSecond)} msg/s (publish+confirm ${fmt.rate(rawPublishPerSecond)} msg/s, ${messageBytes} B, p99 ${fmt.f(consumed.latencies.p99)} ms)`,
      ratio.text,
    ]),
  );
  say(
    figureLine('event-pipe+mail', [
      `service ${fmt.rate(withMail.eventsPerSecond)} events/s (${withMail.events} in ${fmt.f(withMail.seconds, 2)} s; relay done after ${fmt.f(withMail.relaySeconds, 2)} s)`,
      'the same with email-service and the mail catcher consuming too',
      `ratio ${fmt.f(withMail.eventsPerSecond / rawPerSecond, 2)} (figure only)`,
    ]),
  );
  say(
    figureLine('event-latency', [
      `commit→stored p50 ${fmt.f(latency.commitToStored.p50)} ms p99 ${fmt.f(latency.commitToStored.p99)} ms max ${fmt.f(latency.commitToStored.max)} ms`,
      `commit→sent p50 ${fmt.f(latency.commitToSent.p50)} ms p99 ${fmt.f(latency.commitToSent.p99)} ms`,
      `${latency.accounts} accounts via POST /api/clients/{id}/accounts, 8 at a time (${fmt.rate(latency.createsPerSecond)} creates/s)`,
    ]),
  );
  results['event-pipeline'] = { throughput, withMail, latency, baseline: [rawBefore, rawAfter], met: ratio.met };
  await benchPipelineClassic(throughput.eventsPerSecond, results, commands);
  commands.push(
    `event pipeline: scripts/bench/event-pipeline.ts (N=${EVENTS} bulk, ${LATENCY_EVENTS} via the API)`,
    `AMQP_URL=… N=${EVENTS} SIZE=${messageBytes} node --import tsx --conditions=bank-source scripts/bench/amqp-baseline.ts consume|publish`,
  );
}

/**
 * The same bulk pipeline (outbox → relay → RabbitMQ → log-service, email-service stopped) on a
 * second system whose services run with QUEUE_TYPE=classic, beside the main system's quorum
 * figure: what the replicated queue type costs on one node.
 */
async function benchPipelineClassic(quorumPerSecond: number, results: Figures, commands: string[]): Promise<void> {
  classicSystem = await startSystem({ prefix: 'bench_classic', runtime: RUNTIME, env: { QUEUE_TYPE: 'classic' } });
  const classic = classicSystem;
  const classicWatcher = new StoredWatcher(logStoreFile(classic.log.child.pid!));
  try {
    const data = await createBenchData(classic.bank.url, { email: classic.adminEmail, password: classic.adminPassword });
    classicWatcher.start();
    await classic.email.stop();
    const throughput = await measureThroughput(
      { bankUrl: classic.bank.url, databaseUrl: classic.databaseUrl, userToken: data.userToken, userId: data.userId, clientId: data.clientId, bankId: data.bankId, watcher: classicWatcher },
      EVENTS,
    );
    say(
      figureLine('event-pipe-queues', [
        `quorum ${fmt.rate(quorumPerSecond)} events/s`,
        `classic ${fmt.rate(throughput.eventsPerSecond)} events/s (${throughput.events} in ${fmt.f(throughput.seconds, 2)} s)`,
        `quorum/classic ${fmt.f(quorumPerSecond / throughput.eventsPerSecond, 2)} (figure only; one RabbitMQ node)`,
      ]),
    );
    results['event-pipeline-queues'] = { quorumPerSecond, classic: throughput };
    commands.push('event pipeline on classic queues: the same, on a second system with QUEUE_TYPE=classic (the main system runs quorum, the default)');
  } finally {
    classicWatcher.close();
    classicSystem = undefined;
    await classic.stop();
  }
}

async function main(): Promise<number> {
  const hardStop = setTimeout(() => {
    console.error(`bench: over ${TIMEOUT_MS} ms, stopping`);
    void cleanup().finally(() => process.exit(1));
  }, TIMEOUT_MS);
  hardStop.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanup().finally(() => process.exit(130)));
  }

  for (const line of machineLines(await mariadbVersion())) say(line);
  const results: Figures = {};
  if (wanted('startup')) {
    note(`startup: each service compiled and under tsx, ${STARTUP_ROUNDS} interleaved rounds`);
    const startup = await measureStartup(STARTUP_ROUNDS, note);
    const startupReport = startupLines(startup);
    for (const line of startupReport.lines) say(line);
    results.startup = { figures: startup, met: startupReport.met };
  }

  note(`starting catcher, log-service, email-service, bank-service (MariaDB, RabbitMQ) as processes (${RUNTIME})`);
  system = await startSystem({ prefix: 'bench', runtime: RUNTIME, env: { QUEUE_TYPE: 'quorum' } });
  const data = await createBenchData(system.bank.url, { email: system.adminEmail, password: system.adminPassword });
  const rss = new RssSampler({
    'bank-service': system.bank.child.pid!,
    'log-service': system.log.child.pid!,
    'email-service': system.email.child.pid!,
    'mail-catcher': system.catcher.child.pid!,
  });
  await new Promise((r) => setTimeout(r, 1000));
  rss.sampleIdle();

  const commands: string[] = [];
  if (wanted('cards')) {
    note('cards-list: bare Express baseline, service, baseline again');
    await benchCards(data, rss, results, commands);
  }
  if (wanted('ladder')) {
    note('cards-list ladder: bare node:http … full service with workers');
    const target = { bankUrl: system.bank.url, bankPid: system.bank.child.pid!, accountId: data.accountId, userToken: data.userToken };
    const ladder = await benchLadder({ ...target, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS }, say, note);
    results.ladder = { steps: ladder, met: ladder.every((figure) => figure.met !== false) };
    commands.push('LADDER_STEP=<step> node --import tsx --conditions=bank-source scripts/bench/ladder-server.ts   # the ladder rungs');
  }
  if (wanted('tracing')) {
    note(`tracing: cards-list on three more bank processes, tracing off (OTEL_TRACES_EXPORTER=none), on (OTLP to a dropping sink) and instrumented but recording nothing (always_off), ${TRACING_ROUNDS} interleaved rounds`);
    // the three extra bank processes run the compiled build whatever BENCH_RUNTIME is: production's cost, not tsx's
    const tracing = await benchTracing(system, data, { seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, runtime: 'compiled', rounds: TRACING_ROUNDS });
    say(tracing.line);
    results.tracing = tracing;
    commands.push(...tracing.commands);
  }
  if (wanted('login')) {
    note('login: raw argon2id verifications, POST /auth/login, raw argon2id again');
    await benchLogin(data, rss, results, commands);
  }
  if (wanted('transfers')) {
    note('transfers');
    await benchTransfers(data, rss, results, commands);
  }
  if (wanted('pipeline')) {
    note(`event pipeline: raw amqplib, ${LATENCY_EVENTS} accounts via the API, ${EVENTS} events in bulk (twice), raw amqplib again`);
    await benchPipeline(data, rss, results, commands);
  }
  if (wanted('embedded')) {
    note('embedded: npm start\'s system (SQLite, in-memory broker) in its own process, /health then the cards list');
    const embedded = await benchEmbedded();
    for (const line of embedded.lines) say(line);
    results.embedded = embedded;
    commands.push('npx tsx --conditions=bank-source scripts/bench/embedded-stall.ts   # embedded mode, BENCH_SECONDS');
  }

  const figures = rss.figures();
  say(
    figureLine(
      'rss',
      Object.entries(figures).map(([name, fig]) => `${name} idle ${fmt.f(fig.idle, 0)} MiB load ${fmt.f(fig.peak, 0)} MiB`),
    ),
  );
  results.rss = figures;
  say('commands:');
  for (const command of commands) say(`  ${command}`);
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, `${JSON.stringify(results, null, 2)}\n`);
  const missed = Object.values(results).filter((r) => typeof r === 'object' && r !== null && 'met' in r && (r as { met: boolean }).met === false).length;
  return missed;
}

/** scripts/bench/embedded-stall.ts in a child process (it runs the embedded system in its own event loop); its figure lines as printed. */
async function benchEmbedded(): Promise<{ lines: string[]; met: boolean }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--conditions=bank-source', 'scripts/bench/embedded-stall.ts'], {
    env: { ...process.env, BENCH_SECONDS: String(SECONDS) },
    timeout: 120_000,
  });
  const lines = stdout.split('\n').filter((line) => line.startsWith('embedded'));
  if (!lines.some((line) => line.startsWith('embedded ratio'))) throw new Error(`embedded-stall printed no ratio:\n${stdout}`);
  return { lines, met: !lines.some((line) => line.includes('MISSED')) };
}

let exitCode = 0;
const started = Date.now();
try {
  const missed = await main();
  note(`done in ${fmt.f((Date.now() - started) / 1000, 0)} s; ${missed} aim(s) missed`);
} catch (err) {
  console.error('bench failed:', err);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exit(exitCode);
