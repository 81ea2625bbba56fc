// The process side of an own server (RabbitMQ node, MariaDB instance): spawned detached in a
// process group of its own with its output in a log file, found again by its pid file, stopped with
// SIGTERM (the server shuts down in order) or killed with SIGKILL (the whole group: nothing survives).
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { isAlive, processesNaming, releaseInstanceFolder } from './instance-folders.ts';
import { waitFor } from './wait-for.ts';

/** What every own server offers besides its own address. */
export interface OwnServer {
  /** The server's own temp folder (config, logs, data unless a data folder was given). */
  readonly folder: string;
  /** The OS pid of the server process while it runs. */
  pid(): number | undefined;
  /** True while the server process runs. */
  isRunning(): boolean;
  /** Start it again (after `stop` or `kill`) on the same data and ports; resolves when it answers. */
  start(): Promise<void>;
  /** Clean shutdown (SIGTERM) and wait until the process has exited. */
  stop(): Promise<void>;
  /** SIGKILL (a crash: no clean shutdown) and wait until it is gone. */
  kill(): Promise<void>;
  /** Kill it if it runs and delete its folder and data. */
  remove(): Promise<void>;
  /** The end of the server's log, for failure messages. */
  logTail(lines?: number): string;
}

export interface ServerProcessOptions {
  command: string;
  args?: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd: string;
  /** stdout and stderr are appended here. */
  consoleLog: string;
  /** The file the server writes its pid to. */
  pidFile: string;
  /** True when `argv` (from /proc) is this server's command line. */
  isOurs(argv: readonly string[]): boolean;
  /** Text that only this server's command line contains (to find it before the pid file is written). */
  marker: string;
}

export interface ServerProcess {
  spawn(): void;
  /** The spawned command has exited (or was never spawned). */
  exited(): boolean;
  pid(): number | undefined;
  isRunning(): boolean;
  /**
   * SIGTERM to the server (to the group when its pid is not known yet); SIGKILL to the whole group
   * and the server. Resolves once nothing of it runs; rejects naming `what` after `timeoutMs`.
   */
  signal(sig: 'SIGTERM' | 'SIGKILL', timeoutMs: number, what: string): Promise<void>;
  /** SIGTERM; if that does not end it within `timeoutMs`, SIGKILL and reject. */
  stopOrKill(timeoutMs: number, what: string): Promise<void>;
}

export function serverProcess(options: ServerProcessOptions): ServerProcess {
  let group: number | undefined;
  let exited = true;

  const isOurs = (candidate: number): boolean => {
    try {
      return options.isOurs(readFileSync(`/proc/${candidate}/cmdline`, 'utf8').split('\0')) && isAlive(candidate);
    } catch {
      return false;
    }
  };
  const pid = (): number | undefined => {
    try {
      const fromFile = Number(readFileSync(options.pidFile, 'utf8').trim());
      if (isOurs(fromFile)) return fromFile;
    } catch {
      // not written yet, or removed
    }
    return processesNaming(options.marker).find(isOurs);
  };
  const isRunning = (): boolean => !exited || pid() !== undefined;

  const signal = async (sig: 'SIGTERM' | 'SIGKILL', timeoutMs: number, what: string): Promise<void> => {
    const server = pid();
    const targets = sig === 'SIGTERM' && server !== undefined ? [server] : [...(exited || group === undefined ? [] : [-group]), ...(server === undefined ? [] : [server])];
    for (const target of targets) {
      try {
        process.kill(target, sig);
      } catch {
        // already gone
      }
    }
    await waitFor(() => !isRunning(), { what, timeoutMs, intervalMs: 50 });
  };

  return {
    spawn() {
      const out = openSync(options.consoleLog, 'a');
      try {
        const child = spawn(options.command, [...(options.args ?? [])], { env: options.env ?? process.env, cwd: options.cwd, detached: true, stdio: ['ignore', out, out] });
        group = child.pid;
        exited = false;
        child.once('exit', () => {
          exited = true;
        });
        child.unref();
      } finally {
        closeSync(out);
      }
    },
    exited: () => exited,
    pid,
    isRunning,
    signal,
    async stopOrKill(timeoutMs, what) {
      try {
        await signal('SIGTERM', timeoutMs, what);
      } catch (error) {
        await signal('SIGKILL', 10_000, `${what} (killed after a stop that hung)`);
        throw error;
      }
    },
  };
}

/** The last `lines` lines of a log file ('' when there is none yet). */
export function tailOf(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Kill the server if it runs, delete its folder, and the data folder given by the caller (if any). */
export async function removeServer(server: ServerProcess, folder: string, callersDataDir: string | undefined, what: string): Promise<void> {
  if (server.isRunning()) await server.signal('SIGKILL', 10_000, what).catch(() => undefined);
  releaseInstanceFolder(folder);
  if (callersDataDir !== undefined) rmSync(callersDataDir, { recursive: true, force: true });
}
