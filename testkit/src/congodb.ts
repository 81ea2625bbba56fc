import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// CongoDB — the MongoDB wire-protocol emulator of @push.rocks/smartmongo — as a child process the
// tests own: a free port, stop (an outage: the port refuses, every client connection drops, the
// data stays) and start again on the same port. Installed from scripts/congodb's own lock file by
// `npm run congodb:install` (CI runs it); no MongoDB server installs on these machines.

/** The command that installs CongoDB (scripts/congodb/package-lock.json). */
export const CONGODB_INSTALL_COMMAND = 'npm run congodb:install';

const RUNTIME = path.join('scripts', 'congodb');
const ENTRY = path.join('node_modules', '@push.rocks', 'smartmongo', 'dist_ts', 'congodb', 'index.js');

/** scripts/congodb of this repository, found by walking up from this file. */
function runtimeFolder(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, RUNTIME);
    if (fs.existsSync(path.join(candidate, 'server.mjs'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Why CongoDB cannot start on this machine (with the fix), or undefined when it can. */
export function congoDbUnavailableReason(): string | undefined {
  const folder = runtimeFolder();
  if (!folder) return `${RUNTIME}/server.mjs not found above ${fileURLToPath(import.meta.url)}`;
  if (!fs.existsSync(path.join(folder, ENTRY))) return `CongoDB is not installed in ${RUNTIME}: run \`${CONGODB_INSTALL_COMMAND}\``;
  return undefined;
}

export interface CongoDb {
  /** `mongodb://127.0.0.1:<port>` (no database: add one, or pass dbName to the driver). */
  readonly url: string;
  readonly port: number;
  /** True while it accepts connections. */
  readonly listening: boolean;
  /** An outage: stop listening and drop every client connection. The data stays in memory. */
  stop(): Promise<void>;
  /** Listen again on the same port (after `stop()`). */
  start(): Promise<void>;
  /** End the process (its data is gone). Safe to call twice. */
  close(): Promise<void>;
}

export interface StartCongoDbOptions {
  /** Default 0: a free port chosen by the OS (kept across stop/start). */
  port?: number;
  /** How long to wait for it to listen (default 15 s). */
  timeoutMs?: number;
}

type ServerEvent = { event: 'listening'; port: number } | { event: 'stopped' } | { event: 'error'; message: string };

function nextEvent<E extends ServerEvent['event']>(child: ChildProcess, wanted: E, timeoutMs: number): Promise<Extract<ServerEvent, { event: E }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`CongoDB did not report "${wanted}" within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: ServerEvent): void => {
      if (message.event === wanted) finish(undefined, message as Extract<ServerEvent, { event: E }>);
      else if (message.event === 'error') finish(new Error(`CongoDB: ${message.message}`));
    };
    const onExit = (code: number | null, signal: string | null): void =>
      finish(new Error(`CongoDB exited (code ${code ?? '-'}, signal ${signal ?? '-'}) before reporting "${wanted}"`));
    function finish(err: Error | undefined, value?: Extract<ServerEvent, { event: E }>): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(value!);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Start a CongoDB process on 127.0.0.1. @throws when it is not installed (see congoDbUnavailableReason). */
export async function startCongoDb(options: StartCongoDbOptions = {}): Promise<CongoDb> {
  const problem = congoDbUnavailableReason();
  if (problem) throw new Error(problem);
  const folder = runtimeFolder()!;
  const timeoutMs = options.timeoutMs ?? 15_000;
  // Plain node (no tsx loader inherited from the test runner); output goes to the test's stderr.
  const child = fork(path.join(folder, 'server.mjs'), ['--host', '127.0.0.1', '--port', String(options.port ?? 0)], {
    cwd: folder,
    execArgv: [],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  let port: number;
  try {
    ({ port } = await nextEvent(child, 'listening', timeoutMs));
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  let listening = true;

  async function command(name: 'stop' | 'start'): Promise<void> {
    if (exited) throw new Error('CongoDB has exited');
    const reply = nextEvent(child, name === 'stop' ? 'stopped' : 'listening', timeoutMs);
    child.send({ command: name });
    await reply;
    listening = name === 'start';
  }

  return {
    url: `mongodb://127.0.0.1:${port}`,
    port,
    get listening() {
      return listening && !exited;
    },
    stop: () => command('stop'),
    start: () => command('start'),
    async close() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await gone;
      listening = false;
    },
  };
}
