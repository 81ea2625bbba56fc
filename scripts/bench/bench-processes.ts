/**
 * Child processes of the benchmark (wrk runs, baseline servers and measurers): every one is
 * tracked so that `killAll()` ends it on failure, timeout or Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseWrkOutput, type WrkResult } from './wrk-output.ts';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const BENCH_DIR = resolve(ROOT, 'scripts/bench');

const running = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** SIGKILL every child this module started that is still running (by its own pid). */
export function killAll(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  running.clear();
}

export interface WrkRun {
  /** The command line as a shell would run it (for the report). */
  command: string;
  result: WrkResult;
  output: string;
}

export interface WrkOptions {
  url: string;
  durationSeconds: number;
  connections?: number;
  threads?: number;
  headers?: Record<string, string>;
  /** A Lua script under scripts/bench/wrk/. */
  script?: string;
  /** Environment for the Lua script (read with os.getenv). */
  env?: Record<string, string>;
}

export function wrkCommand(options: WrkOptions): { args: string[]; command: string } {
  const args = [
    `-t${options.threads ?? 2}`,
    `-c${options.connections ?? 50}`,
    `-d${options.durationSeconds}s`,
    '--latency',
    '--timeout',
    '5s',
  ];
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push('-H', `${name}: ${value}`);
  if (options.script) args.push('-s', resolve(BENCH_DIR, 'wrk', options.script));
  args.push(options.url);
  const shown = args.map((a) => (/[\s:]/.test(a) && !a.startsWith('http') ? `'${a.replace(/Bearer \S+/, 'Bearer $TOKEN')}'` : a));
  const envShown = Object.keys(options.env ?? {})
    .map((k) => `${k}=…`)
    .join(' ');
  return { args, command: `${envShown ? `${envShown} ` : ''}wrk ${shown.join(' ').replace(resolve(BENCH_DIR), 'scripts/bench')}` };
}

export function runWrk(options: WrkOptions): Promise<WrkRun> {
  const { args, command } = wrkCommand(options);
  return new Promise((resolveRun, reject) => {
    // the Lua scripts load their helpers (dofile) relative to scripts/bench/wrk
    const child = track(spawn('wrk', args, { cwd: resolve(BENCH_DIR, 'wrk'), env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] }));
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', (err) => reject(new Error(`cannot run wrk (apt-get install -y wrk): ${err.message}`)));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`wrk exited with ${code}: ${output}`));
      try {
        resolveRun({ command, result: parseWrkOutput(output), output });
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });
}

export interface NodeChild {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first stdout line starting with `prefix` (the rest of the line). */
  line(prefix: string, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/** `node --import tsx --conditions=bank-source scripts/bench/<script> …args` with extra environment. */
export function startNodeScript(script: string, args: string[] = [], env: Record<string, string> = {}): NodeChild {
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', '--conditions=bank-source', resolve(BENCH_DIR, script), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let out = '';
  let err = '';
  const lineWaiters: Array<{ prefix: string; resolve: (rest: string) => void }> = [];
  const seen: string[] = [];
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    pending += chunk.toString();
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      seen.push(line);
      for (const waiter of [...lineWaiters]) {
        if (line.startsWith(waiter.prefix)) {
          lineWaiters.splice(lineWaiters.indexOf(waiter), 1);
          waiter.resolve(line.slice(waiter.prefix.length).trim());
        }
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-10_000)));
  const output = () => `${out.slice(-5_000)}${err}`;
  return {
    child,
    output,
    line(prefix, timeoutMs = 60_000) {
      const already = seen.find((l) => l.startsWith(prefix));
      if (already !== undefined) return Promise.resolve(already.slice(prefix.length).trim());
      return new Promise((resolveLine, reject) => {
        const timer = setTimeout(() => reject(new Error(`${script}: no "${prefix}" line within ${timeoutMs} ms\n${output()}`)), timeoutMs);
        const onExit = (code: number | null) => {
          clearTimeout(timer);
          reject(new Error(`${script} exited with ${code} before printing "${prefix}"\n${output()}`));
        };
        child.once('exit', onExit);
        lineWaiters.push({
          prefix,
          resolve: (rest) => {
            clearTimeout(timer);
            child.off('exit', onExit);
            resolveLine(rest);
          },
        });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
