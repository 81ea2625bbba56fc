// An own MariaDB server for tests that stop, kill or restart a database: Debian's mariadbd with
// --no-defaults on its own port, socket and data folder (see instance-folders.ts), root without a
// password on 127.0.0.1. The system tables are made by mariadb-install-db once per test process into
// a template folder; every instance starts from a copy of it.
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { runCommand } from './commands.ts';
import { createInstanceFolder, releaseInstanceFolder } from './instance-folders.ts';
import { assertPortFree, freePort, isPortFree, type PortRange } from './ports.ts';
import { removeServer, serverProcess, tailOf, type OwnServer } from './server-process.ts';
import { abortWait, waitFor } from './wait-for.ts';

const SERVER = '/usr/sbin/mariadbd';
const INSTALL_DB = 'mariadb-install-db';
/** Smaller than the defaults (128 MiB pool, 96 MiB redo log): several instances on a small machine. */
const SIZE_OPTIONS = ['--innodb-buffer-pool-size=64M', '--innodb-log-file-size=16M'];

export interface MariadbInstanceOptions {
  /** A short label for the folder (letters, digits, dashes). Default `mariadb`. */
  name?: string;
  /** TCP port on 127.0.0.1. Default: a free one (inside `portRange` when given). */
  port?: number;
  portRange?: PortRange;
  /** The data folder. Default: `data/` in the instance's own temp folder. Must not exist yet. */
  dataDir?: string;
  /** Extra mariadbd options, e.g. `['--max-connections=500']`. */
  serverOptions?: readonly string[];
  /** How long a start may take (ms). Default 60 000. */
  startTimeoutMs?: number;
}

export interface MariadbInstance extends OwnServer {
  readonly port: number;
  readonly dataDir: string;
  /** `mysql://root@127.0.0.1:<port>` — a server URL (append `/<database>` for DATABASE_URL). */
  readonly url: string;
}

const runsAsRoot = (): boolean => process.getuid?.() === 0;

let template: Promise<string> | undefined;

/** A data folder initialised by mariadb-install-db, made once per process (≈ 2 s) and copied per instance. */
function templateDataDir(): Promise<string> {
  template ??= (async () => {
    const folder = createInstanceFolder('mariadb', 'template');
    const dataDir = join(folder, 'data');
    await runCommand(INSTALL_DB, [
      '--no-defaults',
      `--datadir=${dataDir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      ...(runsAsRoot() ? ['--user=root'] : []),
      ...SIZE_OPTIONS,
    ]);
    return dataDir;
  })();
  const made = template;
  made.catch(() => {
    if (template === made) template = undefined;
  });
  return made;
}

/** Start an own MariaDB server; resolves once root can query it. Remove it in an `after` hook. */
export async function startMariadbInstance(options: MariadbInstanceOptions = {}): Promise<MariadbInstance> {
  if (!existsSync(SERVER)) throw new Error(`own MariaDB instances need Debian's mariadb-server package (${SERVER} is missing)`);
  const label = options.name ?? 'mariadb';
  if (!/^[a-z0-9-]{1,30}$/i.test(label)) throw new Error(`invalid MariaDB instance label "${label}"`);
  if (options.dataDir !== undefined && existsSync(options.dataDir)) throw new Error(`MariaDB instance: ${options.dataDir} exists already`);

  const source = await templateDataDir();
  const folder = createInstanceFolder('mariadb', label);
  try {
    if (options.port !== undefined) await assertPortFree(options.port, 'MariaDB instance');
    const port = options.port ?? (await freePort(options.portRange));
    const dataDir = options.dataDir ?? join(folder, 'data');
    cpSync(source, dataDir, { recursive: true });
    const pidFile = join(folder, 'mariadbd.pid');
    const errorLog = join(folder, 'error.log');
    const args = [
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${join(folder, 'mariadbd.sock')}`,
      `--pid-file=${pidFile}`,
      `--log-error=${errorLog}`,
      ...(runsAsRoot() ? ['--user=root'] : []),
      ...SIZE_OPTIONS,
      ...(options.serverOptions ?? []),
    ];
    const url = `mysql://root@127.0.0.1:${port}`;
    const startTimeoutMs = options.startTimeoutMs ?? 60_000;
    const logTail = (lines = 30): string => tailOf(errorLog, lines);
    const server = serverProcess({
      command: SERVER,
      args,
      cwd: folder,
      consoleLog: join(folder, 'console.log'),
      pidFile,
      marker: `--pid-file=${pidFile}`,
      isOurs: (argv) => argv.includes(`--pid-file=${pidFile}`),
    });

    const start = async (): Promise<void> => {
      if (server.isRunning()) throw new Error(`MariaDB instance on port ${port} is already running`);
      await waitFor(() => isPortFree(port), { what: `port ${port} of the MariaDB instance to be free`, timeoutMs: 10_000 });
      server.spawn();
      await waitFor(
        async () => {
          if (server.exited()) abortWait(`mariadbd exited during start-up; its log ends:\n${logTail()}`);
          const connection = await mysql.createConnection({ uri: url, connectTimeout: 2_000 });
          try {
            await connection.query('SELECT 1');
            return true;
          } finally {
            await connection.end();
          }
        },
        { what: `the MariaDB instance on port ${port} to answer queries`, timeoutMs: startTimeoutMs, intervalMs: 50 },
      );
    };

    const what = `the MariaDB instance on port ${port}`;
    const instance: MariadbInstance = {
      port,
      dataDir,
      folder,
      url,
      pid: server.pid,
      isRunning: server.isRunning,
      start,
      stop: () => server.stopOrKill(60_000, `${what} to shut down`),
      kill: () => server.signal('SIGKILL', 10_000, `${what} to die`),
      remove: () => removeServer(server, folder, options.dataDir, `${what} to die`),
      logTail,
    };
    await start();
    return instance;
  } catch (error) {
    releaseInstanceFolder(folder);
    throw error;
  }
}
