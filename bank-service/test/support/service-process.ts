// A service's process entry run as a child process, for tests of what only a process shows: a
// request cut by killing it.
//
//   startServiceProcess(entry, env, port)  node --import tsx --conditions=bank-source <entry> from the
//                                          repository root; resolves once GET /health answers 200
//                                          (rejects with the output if it exits first).
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const NODE_ARGS = ['--import', 'tsx', '--conditions=bank-source'];

function spawnEntry(entry: string, env: Record<string, string>): ChildProcess {
  // Only what the test gives (plus PATH/HOME for node itself): no developer settings leak in.
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  return spawn(process.execPath, [...NODE_ARGS, entry], { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGKILL: no shutdown, no cleanup, as a crash. Resolves once it has exited. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

/** Start a service entry listening on `port` and wait until `/health` answers 200. */
export async function startServiceProcess(entry: string, env: Record<string, string>, port: number, timeoutMs = 60_000): Promise<ServiceProcess> {
  const child = spawnEntry(entry, { ...env, PORT: String(port), HOST: '127.0.0.1' });
  let log = '';
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}:\n${log}`);
    try {
      // bounded: a process that accepts but does not answer is retried until the deadline, not waited on forever
      if ((await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) })).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await signal('SIGKILL');
      throw new Error(`${entry} did not answer /health within ${timeoutMs} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, child, output: () => log, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}
