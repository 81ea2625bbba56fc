/**
 * Starts the system as separate processes for end-to-end, fault and production-install tests and
 * benchmarks: the mail catcher, log-service, email-service and bank-service (after
 * `bank-service init`), each a node child with its own environment, against the real RabbitMQ (a
 * fresh vhost) and MariaDB (a fresh database): the machine's (test settings) or own instances. Each
 * runs either from source (`node --import tsx --conditions=bank-source <service>/src/….ts`, the
 * default) or compiled (`node <service>/dist/src/….js`, after `npm run build`, e.g. from a
 * production install).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { abortWait, createTestDatabase, createTestVhost, freePort, waitFor, type PortRange, type RabbitBroker } from '@bank/testkit';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** How a service process runs: TypeScript through tsx, or the compiled JavaScript in dist/. */
export type ServiceRuntime = 'source' | 'compiled';

/**
 * node's arguments to run a service entry given by its source path, e.g.
 * `bank-service/src/main.ts` → `['--import', 'tsx', '--conditions=bank-source', 'bank-service/src/main.ts']`
 * or (compiled) `['bank-service/dist/src/main.js']`.
 */
export function serviceNodeArgs(runtime: ServiceRuntime, sourceEntry: string, nodeArgs: readonly string[] = []): string[] {
  if (runtime === 'source') return ['--import', 'tsx', '--conditions=bank-source', ...nodeArgs, sourceEntry];
  const compiled = sourceEntry.replace(/^([^/]+)\/src\/(.+)\.ts$/, '$1/dist/src/$2.js');
  if (compiled === sourceEntry) throw new Error(`${sourceEntry} is not a <service>/src/….ts entry`);
  return [...nodeArgs, compiled];
}

export const JWT_SECRET = 'e2e-secret-that-is-long-enough-for-hs256-0123456789';

export interface ServiceProcess {
  name: string;
  url: string;
  child: ChildProcess;
  output(): string;
  /** Start it again (after stop or kill) with the same environment and port. */
  restart(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

async function waitForHttp(url: string, timeoutMs: number, child: ChildProcess, output: () => string): Promise<void> {
  await waitFor(
    async () => {
      if (child.exitCode !== null) abortWait(`the process exited with ${child.exitCode}`);
      return (await fetch(url)).ok;
    },
    { what: `${url} to answer 2xx`, timeoutMs, intervalMs: 200 },
  ).catch((error: unknown) => {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${output()}`, { cause: error });
  });
}

interface Launch {
  runtime: ServiceRuntime;
  /** Folder holding the services (the repository, or a production install of it). */
  root: string;
  /** node options before the entry (after tsx), e.g. `--import @bank/platform/telemetry/register`. */
  nodeArgs?: readonly string[];
}

function startProcess(launchWith: Launch, name: string, script: string, env: Record<string, string>, readyUrl: string): Promise<ServiceProcess> {
  let log = '';
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(process.execPath, serviceNodeArgs(launchWith.runtime, script, launchWith.nodeArgs), {
      cwd: launchWith.root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const append = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    await waitForHttp(readyUrl, 60_000, child, () => log);
  };
  const proc: ServiceProcess = {
    name,
    url: readyUrl.replace(/\/(ready|health)$/, ''),
    get child() {
      return child;
    },
    output: () => log,
    restart: launch,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill(signal);
      await exited;
    },
  };
  return launch().then(() => proc);
}

export interface SystemUnderTest {
  bank: ServiceProcess;
  log: ServiceProcess;
  email: ServiceProcess;
  catcher: ServiceProcess;
  /** The catcher's HTTP API, e.g. `${catcherUrl}/api/messages`. */
  catcherUrl: string;
  amqpUrl: string;
  vhost: string;
  databaseUrl: string;
  adminEmail: string;
  adminPassword: string;
  stop(): Promise<void>;
}

async function runInit(launchWith: Launch, env: Record<string, string>): Promise<void> {
  await new Promise<void>((resolveInit, reject) => {
    const child = spawn(process.execPath, [...serviceNodeArgs(launchWith.runtime, 'bank-service/src/cli.ts'), 'init'], {
      cwd: launchWith.root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => (code === 0 ? resolveInit() : reject(new Error(`bank-service init exited ${code}\n${out}`))));
  });
}

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Run one service entry (e.g. `bank-service/src/main.ts`) with only `env` (plus PATH and HOME) until
 * it exits; SIGKILL it after `timeoutMs`. For start-up failures: exit code and output.
 */
export function runServiceToExit(sourceEntry: string, env: Record<string, string>, timeoutMs = 30_000, runtime: ServiceRuntime = 'source'): Promise<ExitResult> {
  return new Promise((resolveExit, reject) => {
    const child = spawn(process.execPath, serviceNodeArgs(runtime, sourceEntry), {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${sourceEntry} did not exit within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolveExit({ code, signal, stdout, stderr });
    });
  });
}

export type ServiceName = 'catcher' | 'log' | 'email' | 'bank';

export interface StartSystemOptions {
  /** Names the vhost, database and temp folder. Default `e2e`. */
  prefix?: string;
  /** Extra environment for every service. */
  env?: Record<string, string>;
  /** Extra environment for one service (wins over `env` and the defaults), e.g. `{ email: { SEND_MAX_ATTEMPTS: '20' } }`. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** The broker to make the system's vhost on, e.g. an own node a test stops. Default: the machine's (TEST_AMQP_URL). */
  broker?: RabbitBroker;
  /** The MariaDB server to make the system's database on, e.g. an own instance a test restarts. Default: TEST_MARIADB_URL. */
  mariadbUrl?: string;
  /** Run the TypeScript sources through tsx (default) or the compiled dist/ output. */
  runtime?: ServiceRuntime;
  /** Folder holding the services (default: this repository), e.g. a production install. */
  root?: string;
  /** A folder per service (wins over `root`), e.g. each service's own production install. */
  roots?: Partial<Record<ServiceName, string>>;
  /** node options for log, email and bank (not the catcher or init), e.g. `['--import', '@bank/platform/telemetry/register']`. */
  nodeArgs?: readonly string[];
  /** Where the services' ports are picked (default: ports the OS picks). */
  ports?: PortRange;
}

/** Start catcher, log, email and bank as processes; `stop()` ends them and removes what they made. */
export async function startSystem(options: StartSystemOptions = {}): Promise<SystemUnderTest> {
  const serviceEnv = options.serviceEnv ?? {};
  const prefix = options.prefix ?? 'e2e';
  const launch = (name: ServiceName): Launch => ({
    runtime: options.runtime ?? 'source',
    root: options.roots?.[name] ?? options.root ?? ROOT,
    ...(name === 'catcher' ? {} : { nodeArgs: options.nodeArgs ?? [] }),
  });
  const [vhost, database, dir] = await Promise.all([
    createTestVhost(prefix, options.broker),
    createTestDatabase(prefix, options.mariadbUrl),
    mkdtemp(join(tmpdir(), `${prefix}-`)),
  ]);
  const ports: number[] = [];
  for (let i = 0; i < 5; i++) ports.push(await freePort(options.ports, ports));
  const [bankPort, logPort, emailPort, smtpPort, catcherHttpPort] = ports as [number, number, number, number, number];
  // the embedded mode's default admin, so the API docs' pre-filled login example works as it does after `npm start`
  const adminEmail = 'admin@example.com';
  const adminPassword = 'adminpass';
  const common: Record<string, string> = {
    APP_ENV: 'test',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    AMQP_URI: vhost.url,
    JWT_SECRET_KEY: JWT_SECRET,
    ...options.env,
  };
  const started: ServiceProcess[] = [];
  const stopAll = async () => {
    await Promise.all(started.map((p) => p.stop()));
    await Promise.all([vhost.delete(), database.drop(), rm(dir, { recursive: true, force: true })]);
  };
  try {
    const catcher = await startProcess(
      launch('catcher'),
      'mail-catcher',
      'email-service/src/catcher-main.ts',
      {
        ...common,
        CATCHER_HOST: '127.0.0.1',
        CATCHER_SMTP_PORT: String(smtpPort),
        CATCHER_HTTP_PORT: String(catcherHttpPort),
        ...serviceEnv.catcher,
      },
      `http://127.0.0.1:${catcherHttpPort}/health`,
    );
    started.push(catcher);
    // The admin is the embedded (development) one the spec's login example names: `adminpass` is
    // refused outside development, so init alone runs as development.
    await runInit(launch('bank'), { ...common, APP_ENV: 'development', DATABASE_URL: database.url, ADMIN_EMAIL: adminEmail, ADMIN_PASS: adminPassword });
    const log = await startProcess(
      launch('log'),
      'log-service',
      'log-service/src/main.ts',
      { ...common, PORT: String(logPort), LOG_STORE_URL: `sqlite:${join(dir, 'logs.sqlite')}`, ...serviceEnv.log },
      `http://127.0.0.1:${logPort}/ready`,
    );
    started.push(log);
    const email = await startProcess(
      launch('email'),
      'email-service',
      'email-service/src/main.ts',
      {
        ...common,
        PORT: String(emailPort),
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        SENT_STORE_URL: `sqlite:${join(dir, 'email.sqlite')}`,
        EMAIL_RECEIVERS: 'ops@example.com, audit@example.com',
        SEND_RETRY_BASE_MS: '200',
        ...serviceEnv.email,
      },
      `http://127.0.0.1:${emailPort}/ready`,
    );
    started.push(email);
    const bank = await startProcess(
      launch('bank'),
      'bank-service',
      'bank-service/src/main.ts',
      { ...common, PORT: String(bankPort), DATABASE_URL: database.url, LOG_SERVICE_URL: `http://127.0.0.1:${logPort}`, ...serviceEnv.bank },
      `http://127.0.0.1:${bankPort}/ready`,
    );
    started.push(bank);
    return {
      bank,
      log,
      email,
      catcher,
      catcherUrl: `http://127.0.0.1:${catcherHttpPort}`,
      amqpUrl: vhost.url,
      vhost: vhost.name,
      databaseUrl: database.url,
      adminEmail,
      adminPassword,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
