/**
 * The cost of tracing: the cards list (`GET /api/accounts/{id}/cards`) on three extra bank-service
 * processes started alike with the tracing entry (`--import @bank/platform/telemetry/register`),
 * one with OTEL_TRACES_EXPORTER=none (tracing off: nothing loaded), one exporting every span over
 * OTLP/HTTP (protobuf, the SDK's default) to a sink that accepts and drops them, and a third with every
 * instrumentation loaded but nothing recorded (OTEL_TRACES_SAMPLER=always_off: what the hooks and the
 * context propagation cost before any span is kept). Runs alternate off, on, unrecorded, off, …
 * (BENCH_TRACING_ROUNDS rounds, default 3), each figure the mean of its runs, so all sample the
 * machine's load over the same time. Aim: on ≥ 0.85 × off.
 *
 * Part of `make bench` (run-all.ts); alone: `tsx --conditions=bank-source scripts/bench/tracing-overhead.ts`
 * (after `npm run build`; starts its own system on MariaDB and RabbitMQ, BENCH_SECONDS per run, the
 * compiled dist/ build unless BENCH_RUNTIME=source, BENCH_PORTS=<from>-<to> and BENCH_PREFIX to keep to a port range and vhost/database prefix).
 * BENCH_NODE=<path of a node binary> runs the three measured processes on that Node.js instead of this one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor, type PortRange } from '@bank/testkit';
import { JWT_SECRET, serviceNodeArgs, startSystem, type ServiceRuntime, type SystemUnderTest } from '../e2e/service-processes.ts';
import { ROOT, runWrk, type WrkRun } from './bench-processes.ts';
import { createBenchData, type BenchData } from './bench-data.ts';
import { figureLine, fmt, ratioPart } from './report.ts';

const REGISTER = ['--import', '@bank/platform/telemetry/register'];

export interface TracingFigure {
  line: string;
  met: boolean;
  off: Array<WrkRun['result']>;
  on: Array<WrkRun['result']>;
  /** Instrumented, nothing recorded (always_off). */
  unrecorded: Array<WrkRun['result']>;
  /** The bank process's mean CPU time per request (ms): tracing off, on, instrumented but unrecorded. */
  cpuPerRequestMs: { off: number; on: number; unrecorded: number };
  commands: string[];
}

/** CPU time (user + system, ms) the process used so far: /proc/<pid>/stat, in clock ticks of 10 ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** An OTLP/HTTP endpoint that reads and drops everything (the export's cost stays in the service). */
async function startSink(ports?: PortRange): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end());
  });
  const port = await freePort(ports);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

/** One more bank-service process of the system, with the tracing entry and `env`. */
async function startBank(system: SystemUnderTest, runtime: ServiceRuntime, env: Record<string, string>, ports?: PortRange): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort(ports);
  const base = serviceNodeArgs(runtime, 'bank-service/src/main.ts');
  const args = [...base.slice(0, -1), ...REGISTER, ...base.slice(-1)];
  const child = spawn(process.env.BENCH_NODE || process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      APP_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: system.databaseUrl,
      AMQP_URI: system.amqpUrl,
      JWT_SECRET_KEY: JWT_SECRET,
      LOG_SERVICE_URL: system.log.url,
      OTEL_SERVICE_NAME: 'bank-service',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-5000)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/ready`).catch(() => undefined))?.ok === true, { what: `bank-service (${JSON.stringify(env)}) ready`, timeoutMs: 60_000, intervalMs: 200 }).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`${String(err)}\n${output}`);
  });
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function benchTracing(system: SystemUnderTest, data: BenchData, options: { seconds: number; warmupSeconds: number; runtime: ServiceRuntime; rounds: number; ports?: PortRange }): Promise<TracingFigure> {
  const sink = await startSink(options.ports);
  const off = await startBank(system, options.runtime, { OTEL_TRACES_EXPORTER: 'none' }, options.ports);
  const traced = {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    // e.g. '{"OTEL_NODE_DISABLED_INSTRUMENTATIONS":"express"}' to see what one instrumentation costs
    ...(JSON.parse(process.env.BENCH_TRACING_ENV ?? '{}') as Record<string, string>),
  };
  const on = await startBank(system, options.runtime, traced, options.ports);
  const unrecorded = await startBank(system, options.runtime, { ...traced, OTEL_TRACES_SAMPLER: 'always_off' }, options.ports);
  try {
    const path = `/api/accounts/${data.accountId}/cards`;
    const headers = { Authorization: `Bearer ${data.userToken}` };
    // the bank's CPU time per request of each run: unlike req/s it hardly moves with what else the machine runs
    const cpuPerRequest = new Map<WrkRun, number>();
    const run = async (bank: { url: string; child: ChildProcess }, seconds: number) => {
      const before = cpuMs(bank.child.pid!);
      const result = await runWrk({ url: `${bank.url}${path}`, durationSeconds: seconds, headers, script: 'get.lua' });
      cpuPerRequest.set(result, (cpuMs(bank.child.pid!) - before) / Math.max(1, result.result.requests));
      return result;
    };
    await run(off, options.warmupSeconds);
    await run(on, options.warmupSeconds);
    await run(unrecorded, options.warmupSeconds);
    // off, on, unrecorded, off, …, off: the figures sample the machine's load over the same span of time
    const offRuns: WrkRun[] = [await run(off, options.seconds)];
    const onRuns: WrkRun[] = [];
    const unrecordedRuns: WrkRun[] = [];
    for (let round = 0; round < options.rounds; round += 1) {
      onRuns.push(await run(on, options.seconds));
      unrecordedRuns.push(await run(unrecorded, options.seconds));
      offRuns.push(await run(off, options.seconds));
    }
    const mean = (runs: WrkRun[]) => runs.reduce((sum, r) => sum + r.result.requestsPerSecond, 0) / runs.length;
    const cpuMean = (runs: WrkRun[]) => runs.reduce((sum, r) => sum + cpuPerRequest.get(r)!, 0) / runs.length;
    const [offRate, onRate, unrecordedRate] = [mean(offRuns), mean(onRuns), mean(unrecordedRuns)];
    const [offCpu, onCpu, unrecordedCpu] = [cpuMean(offRuns), cpuMean(onRuns), cpuMean(unrecordedRuns)];
    const ratio = ratioPart(onRate, offRate, { min: 0.85 });
    const overhead = (1 - onRate / offRate) * 100;
    const errors = [...offRuns, ...onRuns, ...unrecordedRuns].reduce((n, r) => n + r.result.non2xx + r.result.socketErrors, 0);
    const rates = (runs: WrkRun[]) => runs.map((r) => fmt.rate(r.result.requestsPerSecond)).join(', ');
    const line = figureLine('tracing', [
      `cards-list off ${fmt.rate(offRate)} req/s (${rates(offRuns)})`,
      `on ${fmt.rate(onRate)} req/s (${rates(onRuns)})`,
      `overhead ${fmt.f(overhead)} %${errors > 0 ? ` (${errors} failed requests)` : ''}`,
      `CPU per request off ${fmt.f(offCpu * 1000, 0)} µs on ${fmt.f(onCpu * 1000, 0)} µs (+${fmt.f((onCpu / offCpu - 1) * 100)} %)`,
      `instrumented, nothing recorded ${fmt.rate(unrecordedRate)} req/s = ${fmt.f(unrecordedRate / offRate, 2)} of off, ${fmt.f(unrecordedCpu * 1000, 0)} µs (+${fmt.f((unrecordedCpu / offCpu - 1) * 100)} %)`,
      ratio.text,
    ]);
    return {
      line,
      met: ratio.met && errors === 0,
      off: offRuns.map((r) => r.result),
      on: onRuns.map((r) => r.result),
      unrecorded: unrecordedRuns.map((r) => r.result),
      cpuPerRequestMs: { off: offCpu, on: onCpu, unrecorded: unrecordedCpu },
      commands: [`${onRuns[0]!.command}   # tracing on / OTEL_TRACES_EXPORTER=none: scripts/bench/tracing-overhead.ts`],
    };
  } finally {
    await Promise.all([off.stop(), on.stop(), unrecorded.stop()]);
    sink.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  // the compiled build (`npm run build` first), as production runs; BENCH_RUNTIME=source for tsx
  const runtime: ServiceRuntime = process.env.BENCH_RUNTIME === 'source' ? 'source' : 'compiled';
  // BENCH_PORTS=<from>-<to>: the ports to use (default: ports the OS picks)
  const [from, to] = (process.env.BENCH_PORTS ?? '').split('-').map(Number);
  const ports = from && to ? { from, to } : undefined;
  const system = await startSystem({ prefix: process.env.BENCH_PREFIX ?? 'bench_tracing', runtime, ...(ports ? { ports } : {}) });
  let code = 0;
  try {
    const data = await createBenchData(system.bank.url, { email: system.adminEmail, password: system.adminPassword });
    const figure = await benchTracing(system, data, { seconds, warmupSeconds: 3, runtime, rounds: Number(process.env.BENCH_TRACING_ROUNDS ?? 3), ...(ports ? { ports } : {}) });
    console.log(figure.line);
    code = figure.met ? 0 : 1;
  } finally {
    await system.stop();
  }
  process.exit(code);
}
