/**
 * The compose stack, checked without a Docker engine (issue 10 §1):
 * - every container receives only the variables it needs (no env_file; the JWT key reaches only
 *   bank and log, the database passwords only bank and MariaDB, …);
 * - `make up`'s .dockerenv (scripts/compose/dockerenv.sh) holds no placeholder, keeps the passwords
 *   inside the URLs equal to the servers' own, and gives each service a configuration its own
 *   loader accepts in production;
 * - the one readiness probe (x-ready-healthcheck) is the same for the three services and works over
 *   HTTP and over HTTPS: run exactly as compose runs it, against log-service started with TLS.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InMemoryBus } from '@bank/platform/events';
import { silentLogger } from '@bank/platform/logging';
import { envFile, readComposeFile, serviceEnvironment, type ComposeFile } from '../compose-file.ts';
import { loadBankConfig, loadCliConfig } from '../../../bank-service/src/wiring.ts';
import { loadEmailConfig } from '../../../email-service/src/wiring.ts';
import { loadLogConfig, startLogService, type RunningLogService } from '../../../log-service/src/wiring.ts';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

interface Service {
  environment?: Record<string, string>;
  env_file?: unknown;
  healthcheck?: { test: string[] };
}
interface Compose {
  services: Record<string, Service>;
}

const readCompose = (file: string): Compose => readComposeFile(join(ROOT, file)) as unknown as Compose;

/** What every service container of ours gets for tracing and metrics (no secret among them). */
const TELEMETRY = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_TRACES_EXPORTER', 'METRICS_PUBLIC', 'OTEL_SERVICE_NAME'];

/** What each container may receive, exactly. */
const EXPECTED: Record<string, string[]> = {
  'bank-init': ['APP_ENV', 'LOG_LEVEL', 'DATABASE_URL', 'ADMIN_EMAIL', 'ADMIN_PASS'],
  'bank-service': [
    'APP_ENV', 'LOG_LEVEL', 'TLS_CERT', 'TLS_KEY', 'PORT', 'DATABASE_URL', 'AMQP_URI', 'QUEUE_TYPE', 'MAX_DELIVERIES', 'EXCHANGE_NAME', 'CALLBACK_QUEUE',
    'JWT_SECRET_KEY', 'JWT_ISSUER', 'JWT_AUDIENCE', 'LOG_SERVICE_URL', 'LOG_SERVICE_CA', 'CORS_ORIGINS', 'TRUST_PROXY', 'LOGIN_RATE_LIMIT', 'BANK_WORKERS',
    ...TELEMETRY,
  ],
  'log-service': ['APP_ENV', 'LOG_LEVEL', 'TLS_CERT', 'TLS_KEY', 'PORT', 'QUEUE_NAME', 'LOG_STORE_URL', 'AMQP_URI', 'QUEUE_TYPE', 'MAX_DELIVERIES', 'EXCHANGE_NAME', 'JWT_SECRET_KEY', 'JWT_ISSUER', 'JWT_AUDIENCE', ...TELEMETRY],
  'email-service': [
    'APP_ENV', 'LOG_LEVEL', 'TLS_CERT', 'TLS_KEY', 'PORT', 'QUEUE_NAME', 'AMQP_URI', 'QUEUE_TYPE', 'MAX_DELIVERIES', 'EXCHANGE_NAME', 'SMTP_URL', 'EMAIL_FROM',
    'EMAIL_RECEIVERS', 'EMAIL_SUBJECT', 'SENT_STORE_URL', 'SEND_CLAIM_LEASE_MS', 'JWT_SECRET_KEY', 'JWT_ISSUER', 'JWT_AUDIENCE',
    ...TELEMETRY,
  ],
  mariadb: ['MARIADB_ROOT_PASSWORD', 'MARIADB_DATABASE', 'MARIADB_USER', 'MARIADB_PASSWORD', 'EMAIL_DB_NAME', 'EMAIL_DB_USER', 'EMAIL_DB_PASSWORD'],
  gateway: [],
  rabbitmq: ['RABBITMQ_DEFAULT_USER', 'RABBITMQ_DEFAULT_PASS'],
  mongo: [],
  mailpit: [],
  jaeger: [],
  prometheus: [],
};

/** The environment compose hands the container `service` for the env file `vars`. */
function containerEnv(compose: Compose, service: string, vars: Record<string, string>): Record<string, string> {
  return serviceEnvironment((compose.services[service] ?? {}) as ComposeFile['services'][string], vars);
}

describe('docker compose: secrets and per-container environment', () => {
  const compose = readCompose('docker-compose.yml');

  it('gives each container exactly the variables it needs, and no env_file', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), Object.keys(EXPECTED).sort());
    for (const [name, service] of Object.entries(compose.services)) {
      assert.equal(service.env_file, undefined, `${name} still reads a whole env file`);
      assert.deepEqual(Object.keys(service.environment ?? {}).sort(), [...EXPECTED[name]!].sort(), name);
    }
  });

  it('keeps each secret to the containers that use it: no database password in email-service (its JWT key verifies admin tokens), no Mongo URL in bank-service', () => {
    const holders = (variable: string) =>
      Object.entries(compose.services)
        .filter(([, s]) => Object.keys(s.environment ?? {}).includes(variable))
        .map(([name]) => name)
        .sort();
    assert.deepEqual(holders('JWT_SECRET_KEY'), ['bank-service', 'email-service', 'log-service']);
    assert.deepEqual(holders('MARIADB_ROOT_PASSWORD'), ['mariadb']);
    assert.deepEqual(holders('MARIADB_PASSWORD'), ['mariadb']);
    assert.deepEqual(holders('DATABASE_URL'), ['bank-init', 'bank-service']);
    assert.deepEqual(holders('ADMIN_PASS'), ['bank-init']);
    assert.deepEqual(holders('RABBITMQ_DEFAULT_PASS'), ['rabbitmq']);
    assert.deepEqual(holders('LOG_STORE_URL'), ['log-service']);
    assert.deepEqual(holders('EMAIL_DB_PASSWORD'), ['mariadb']);
    assert.deepEqual(holders('SENT_STORE_URL'), ['email-service']);
    const email = Object.keys(compose.services['email-service']!.environment!);
    for (const secret of ['DATABASE_URL', 'MARIADB_ROOT_PASSWORD', 'MARIADB_PASSWORD', 'ADMIN_PASS']) assert.ok(!email.includes(secret), secret);
    const bank = Object.keys(compose.services['bank-service']!.environment!);
    for (const variable of ['LOG_STORE_URL', 'MONGODB_URI', 'MARIADB_ROOT_PASSWORD', 'ADMIN_PASS']) assert.ok(!bank.includes(variable), variable);
  });

  describe('make up: .dockerenv with random secrets', () => {
    let dir: string;
    let vars: Record<string, string>;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'dockerenv-'));
      execFileSync(join(ROOT, 'scripts/compose/dockerenv.sh'), [join(ROOT, '.dockerenv.example'), join(dir, '.dockerenv')], { stdio: 'pipe' });
      vars = envFile(readFileSync(join(dir, '.dockerenv'), 'utf8'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('replaces every placeholder by a random value, the same one inside the URLs, readable by its owner only', () => {
      const text = readFileSync(join(dir, '.dockerenv'), 'utf8');
      assert.doesNotMatch(text.split('\n').filter((line) => !line.startsWith('#')).join('\n'), /change-me/);
      for (const name of ['MARIADB_ROOT_PASSWORD', 'MARIADB_PASSWORD', 'RABBITMQ_DEFAULT_PASS', 'JWT_SECRET_KEY', 'ADMIN_PASS']) assert.match(vars[name]!, /^[0-9a-f]{64}$/, name);
      assert.equal(new Set(['MARIADB_ROOT_PASSWORD', 'MARIADB_PASSWORD', 'RABBITMQ_DEFAULT_PASS', 'JWT_SECRET_KEY', 'ADMIN_PASS'].map((n) => vars[n])).size, 5);
      assert.equal(new URL(vars.DATABASE_URL!).password, vars.MARIADB_PASSWORD);
      assert.equal(new URL(vars.AMQP_URI!).password, vars.RABBITMQ_DEFAULT_PASS);
      assert.equal(new URL(vars.SENT_STORE_URL!).password, vars.EMAIL_DB_PASSWORD);
      const mode = spawnSync('stat', ['-c', '%a', join(dir, '.dockerenv')], { encoding: 'utf8' }).stdout.trim();
      assert.equal(mode, '600');
    });

    it('gives every service a configuration its own loader accepts in production', () => {
      assert.equal(vars.APP_ENV, 'production');
      assert.doesNotThrow(() => loadBankConfig(containerEnv(compose, 'bank-service', vars)));
      assert.doesNotThrow(() => loadLogConfig(containerEnv(compose, 'log-service', vars)));
      assert.doesNotThrow(() => loadEmailConfig(containerEnv(compose, 'email-service', vars)));
      assert.notEqual(loadCliConfig(containerEnv(compose, 'bank-init', vars)).admin, null);
    });

    it('keeps an existing .dockerenv as it is, and refuses one that still holds placeholders', () => {
      const before = readFileSync(join(dir, '.dockerenv'), 'utf8');
      execFileSync(join(ROOT, 'scripts/compose/dockerenv.sh'), [join(ROOT, '.dockerenv.example'), join(dir, '.dockerenv')], { stdio: 'pipe' });
      assert.equal(readFileSync(join(dir, '.dockerenv'), 'utf8'), before);
      writeFileSync(join(dir, 'copied'), readFileSync(join(ROOT, '.dockerenv.example')));
      const refused = spawnSync(join(ROOT, 'scripts/compose/dockerenv.sh'), [join(ROOT, '.dockerenv.example'), join(dir, 'copied')], { encoding: 'utf8' });
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /still holds placeholder secrets:\n.*JWT_SECRET_KEY=…/s);
      assert.doesNotMatch(refused.stderr, /change-me/, 'the refusal prints no values');
    });

    it('refuses to interpolate a stack whose .dockerenv lacks a required secret', () => {
      const { JWT_SECRET_KEY: _dropped, ...rest } = vars;
      assert.throws(() => containerEnv(compose, 'log-service', rest), /JWT_SECRET_KEY is required/);
    });
  });
});

describe('docker compose: the TLS-aware readiness probe', function () {
  this.timeout(60_000);
  const compose = readCompose('docker-compose.yml');
  const probe = compose.services['log-service']!.healthcheck!.test;
  let dir: string;
  let cert: string;
  let key: string;
  let otherCert: string;
  let running: RunningLogService | undefined;
  let bus: InMemoryBus;

  /** Run the probe exactly as compose does (`CMD node -e …`) with the container's PORT and TLS_CERT; its exit code. */
  function runProbe(env: Record<string, string>): Promise<number | null> {
    assert.equal(probe[0], 'CMD');
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'TLS_CERT' && k !== 'PORT' && k !== 'NODE_OPTIONS'));
    // asynchronously: the service under probe runs in this process
    const child = spawn(probe[1]!, probe.slice(2), { env: { ...inherited, ...env }, stdio: 'ignore', timeout: 10_000 });
    return new Promise((resolveExit, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => resolveExit(code));
    });
  }

  async function startLog(tls: boolean): Promise<number> {
    bus = new InMemoryBus();
    const config = loadLogConfig({
      APP_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'silent',
      LOG_STORE_URL: 'sqlite::memory:',
      JWT_SECRET_KEY: '8gZLONjLJdpygX/lsl1hDwLEtGzv3sU1cfZ9ci82loAn',
      ...(tls ? { TLS_CERT: cert, TLS_KEY: key } : {}),
    });
    running = await startLogService(config, { bus, logger: silentLogger });
    return (running.server.address() as AddressInfo).port;
  }

  const makeCert = (name: string): [string, string] => {
    const [c, k] = [join(dir, `${name}.pem`), join(dir, `${name}-key.pem`)];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', k, '-out', c], { stdio: 'ignore' });
    return [c, k];
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'compose-probe-'));
    [cert, key] = makeCert('cert');
    [otherCert] = makeCert('other');
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await bus?.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is one definition shared by bank-service, log-service and email-service, also with docker-compose.tls.yml', () => {
    for (const name of ['bank-service', 'email-service']) assert.deepEqual(compose.services[name]!.healthcheck, compose.services['log-service']!.healthcheck, name);
    const tls = readCompose('docker-compose.tls.yml');
    for (const [name, service] of Object.entries(tls.services)) {
      assert.equal(service.healthcheck, undefined, `${name}: the TLS overlay must not redefine the probe`);
      if (name === 'gateway') continue; // it serves HTTPS through its own Caddyfile.tls
      assert.equal(service.environment?.TLS_CERT, '/certs/cert.pem', name);
    }
    assert.equal(tls.services['bank-service']!.environment!.LOG_SERVICE_URL, 'https://log-service:8000');
  });

  it('passes against a service serving HTTPS (TLS_CERT set), and fails when it would check plain HTTP or another certificate', async () => {
    const port = String(await startLog(true));
    assert.equal(await runProbe({ PORT: port, TLS_CERT: cert }), 0);
    assert.equal(await runProbe({ PORT: port }), 1, 'plain HTTP against HTTPS');
    assert.equal(await runProbe({ PORT: port, TLS_CERT: otherCert }), 1, 'a certificate other than the one served');
  });

  it('passes against a plain HTTP service and fails when nothing listens', async () => {
    const port = String(await startLog(false));
    assert.equal(await runProbe({ PORT: port }), 0);
    await running!.stop();
    running = undefined;
    assert.equal(await runProbe({ PORT: port }), 1);
  });
});
