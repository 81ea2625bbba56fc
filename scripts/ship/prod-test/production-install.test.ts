/**
 * Each service as production runs it: its own fresh `npm ci --omit=dev --workspace <service>` in a
 * temporary folder holding only the repository's manifests and the compiled output of the service
 * and its workspaces (scripts/ship/stage-service.mjs), started with plain `node` (no tsx, no
 * TypeScript installed). Each answers /health; then the three, each from its own install, walk the
 * seed scenario on the real RabbitMQ and MariaDB (a fresh vhost and database).
 *
 * Needs `npm run build` first: `npm run build && npm run test:production` (CI runs both).
 *
 * The installs run with --ignore-scripts, and the native addons (better-sqlite3, argon2: the only
 * install scripts a service needs) get the binaries the repository's own `npm ci` compiled for the
 * same package version and Node — compiling better-sqlite3 three more times would take minutes.
 * PRODUCTION_INSTALL_COMPILE=1 runs the install scripts instead (as the Docker images do).
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createBankApiClient } from '@contract-bank/client/bank-api';
import { walkSeedScenario } from '../../e2e/seed-scenario.ts';
import { startSystem, type SystemUnderTest } from '../../e2e/service-processes.ts';
import { abortWait, freePort, waitFor } from '@bank/testkit';

const run = promisify(execFile);
const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const SERVICES = ['bank-service', 'log-service', 'email-service'] as const;
type Service = (typeof SERVICES)[number];

/** Packages a service's production install must not hold (what it does not use). */
const MUST_NOT_HOLD: Record<Service, string[]> = {
  'bank-service': ['mongodb', 'nodemailer', 'smtp-server', 'mailparser'],
  'log-service': ['mysql2', 'knex', 'argon2', 'passport', 'passport-jwt', 'nodemailer', 'smtp-server', 'mailparser', 'undici'],
  // email-service serves its OpenAPI (health, readiness, dead letters) through @bank/email-api and platform-http
  'email-service': ['mongodb', 'passport', 'argon2'],
};
/** Nobody runs TypeScript in production. */
const NO_SERVICE_HOLDS = ['tsx', 'typescript', 'esbuild', 'mocha', '@bank/testkit'];

interface Install {
  dir: string;
  packages: string[];
  sizeKiB: number;
  seconds: number;
}

/** Every package folder under the install's node_modules folders (workspace links not followed). */
async function installedPackages(dir: string): Promise<string[]> {
  const found = new Set<string>();
  const walk = async (modules: string, prefix = ''): Promise<void> => {
    for (const entry of await readdir(modules, { withFileTypes: true }).catch(() => [])) {
      if (entry.name.startsWith('.')) continue;
      const path = join(modules, entry.name);
      if (entry.name.startsWith('@') && prefix === '') {
        await walk(path, `${entry.name}/`);
        continue;
      }
      if (entry.isSymbolicLink()) continue;
      if (!entry.isDirectory()) continue;
      found.add(`${prefix}${entry.name}`);
      await walk(join(path, 'node_modules'));
    }
  };
  for (const modules of [join(dir, 'node_modules'), ...(await readdir(dir)).map((folder) => join(dir, folder, 'node_modules'))]) {
    await walk(modules);
  }
  for (const folder of ['generated']) {
    for (const pkg of await readdir(join(dir, folder)).catch(() => [])) await walk(join(dir, folder, pkg, 'node_modules'));
  }
  return [...found].sort();
}

async function diskKiB(dir: string): Promise<number> {
  const { stdout } = await run('du', ['-sk', '--exclude=dist', dir]);
  return Number(stdout.split('\t')[0]);
}

const COMPILE = process.env.PRODUCTION_INSTALL_COMPILE === '1';
/** Packages with a native addon that a service installs; their install script compiles it. */
const NATIVE = ['better-sqlite3', 'argon2'];

/** Every `node_modules/<name>` folder under `dir` (root and workspace folders). */
async function packageFolders(dir: string, name: string): Promise<string[]> {
  const candidates = [join(dir, 'node_modules', name)];
  for (const folder of await readdir(dir)) candidates.push(join(dir, folder, 'node_modules', name));
  for (const pkg of await readdir(join(dir, 'generated')).catch(() => [])) candidates.push(join(dir, 'generated', pkg, 'node_modules', name));
  const found: string[] = [];
  for (const candidate of candidates) if (await stat(join(candidate, 'package.json')).catch(() => undefined)) found.push(candidate);
  return found;
}

const versionOf = async (folder: string): Promise<string> => (JSON.parse(await readFile(join(folder, 'package.json'), 'utf8')) as { version: string }).version;

/** Give each native addon of the install the binary the repository's install built for the same version. */
async function copyNativeBuilds(dir: string): Promise<void> {
  for (const name of NATIVE) {
    const built = await packageFolders(ROOT, name);
    for (const target of await packageFolders(dir, name)) {
      const version = await versionOf(target);
      let source: string | undefined;
      for (const folder of built) if ((await versionOf(folder)) === version) source = folder;
      if (!source) throw new Error(`no compiled ${name}@${version} in the repository's node_modules: run npm ci there first`);
      await cp(join(source, 'build/Release'), join(target, 'build/Release'), { recursive: true, filter: (path) => !path.includes('/obj') });
    }
  }
}

async function installService(service: Service, base: string): Promise<Install> {
  const dir = join(base, service);
  await run(process.execPath, [join(ROOT, 'scripts/ship/stage-service.mjs'), service, dir], { cwd: ROOT });
  const started = performance.now();
  await run('npm', ['ci', '--omit=dev', '--workspace', service, '--prefer-offline', '--no-audit', '--no-fund', ...(COMPILE ? [] : ['--ignore-scripts'])], {
    cwd: dir,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (!COMPILE) await copyNativeBuilds(dir);
  const seconds = (performance.now() - started) / 1000;
  return { dir, packages: await installedPackages(dir), sizeKiB: await diskKiB(dir), seconds };
}

/** `node <service>/dist/src/main.js` in the install, with the given environment; resolves when /health answers. */
async function startAlone(install: Install, service: Service, env: Record<string, string>): Promise<{ health: unknown; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [`${service}/dist/src/main.js`], {
    cwd: install.dir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    const health = await waitFor(async () => {
        if (child.exitCode !== null) abortWait(`${service} exited with ${child.exitCode}:\n${output}`);
        return fetch(`http://127.0.0.1:${port}/health`).then(
          (res) => (res.ok ? res.json() : undefined),
          () => undefined,
        );
      }, { what: `${service} to answer /health`, until: (body) => body !== undefined, timeoutMs: 30_000, intervalMs: 200 });
    return { health, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

describe('production install: each service from its own npm ci --omit=dev, started with node', function () {
  this.timeout(20 * 60_000);
  let base: string;
  const installs = {} as Record<Service, Install>;

  before(async () => {
    for (const service of SERVICES) {
      const entry = join(ROOT, service, 'dist/src/main.js');
      await stat(entry).catch(() => {
        throw new Error(`${entry} is missing: run \`npm run build\` first`);
      });
    }
    base = await mkdtemp(join(tmpdir(), 'production-install-'));
    for (const service of SERVICES) {
      installs[service] = await installService(service, base);
      const install = installs[service];
      console.log(
        `      ${service}: ${install.packages.length} packages, ${(install.sizeKiB / 1024).toFixed(1)} MiB installed, npm ci ${install.seconds.toFixed(0)} s`,
      );
    }
  });

  after(async () => {
    if (base) await rm(base, { recursive: true, force: true });
  });

  for (const service of SERVICES) {
    it(`${service}: holds only what it uses (no ${[...MUST_NOT_HOLD[service], 'tsx', 'typescript'].join(', ')})`, () => {
      const held = installs[service].packages;
      for (const name of [...MUST_NOT_HOLD[service], ...NO_SERVICE_HOLDS]) assert.ok(!held.includes(name), `${service} holds ${name}`);
      assert.ok(held.includes('express'), 'sanity: the walk finds the installed packages');
    });
  }

  it('starts each service with node alone: /health answers', async () => {
    const data = await mkdtemp(join(tmpdir(), 'production-health-'));
    try {
      const common = { APP_ENV: 'development', AMQP_URI: 'amqp://guest:guest@127.0.0.1:5672/' };
      const environments: Record<Service, Record<string, string>> = {
        'bank-service': { ...common, DATABASE_URL: `sqlite:${join(data, 'bank.sqlite')}` },
        'log-service': { ...common, LOG_STORE_URL: `sqlite:${join(data, 'logs.sqlite')}` },
        'email-service': { ...common, SENT_STORE_URL: `sqlite:${join(data, 'email.sqlite')}` },
      };
      for (const service of SERVICES) {
        const running = await startAlone(installs[service], service, environments[service]);
        try {
          assert.deepEqual(running.health, { status: 'ok' }, service);
        } finally {
          await running.stop();
        }
      }
    } finally {
      await rm(data, { recursive: true, force: true });
    }
  });

  describe('the seed scenario, each service from its own install (RabbitMQ + MariaDB)', () => {
    let system: SystemUnderTest;
    before(async () => {
      system = await startSystem({
        prefix: 'prodinstall',
        runtime: 'compiled',
        roots: {
          bank: installs['bank-service'].dir,
          log: installs['log-service'].dir,
          email: installs['email-service'].dir,
          catcher: installs['email-service'].dir,
        },
      });
    });
    after(async () => {
      await system?.stop();
    });

    it('registers, creates a bank and an account: mails, the reply and the log entries arrive', async () => {
      const login = await createBankApiClient({ baseUrl: system.bank.url }).POST('/auth/login', {
        body: { email: system.adminEmail, password: system.adminPassword },
      });
      assert.equal(login.response.status, 200, JSON.stringify(login.error));
      await walkSeedScenario(system, login.data!.access_token);
    });
  });
});
