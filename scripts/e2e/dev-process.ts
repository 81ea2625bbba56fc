/**
 * `npm start` (scripts/dev.ts) as a child process on free ports, for the embedded-mode tests: the
 * caller's service variables (AMQP_URI, DATABASE_URL, TLS_*, …) do not leak into it, `env` is added.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { abortWait, freePort, waitFor } from '@bank/testkit';


const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SERVICE_VARIABLES = /^(AMQP_URI|DATABASE_URL|LOG_STORE_URL|SMTP_URL|SENT_STORE_URL|LOG_SERVICE_URL|LOG_SERVICE_CA|APP_ENV|TLS_CERT|TLS_KEY)$/;

export type DevPorts = Record<'BANK_PORT' | 'LOG_PORT' | 'EMAIL_PORT' | 'CATCHER_SMTP_PORT' | 'CATCHER_HTTP_PORT', number>;

export interface DevProcess {
  child: ChildProcess;
  output(): string;
  ports: DevPorts;
  /** SIGINT (Ctrl-C), then wait for the exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Start the embedded runner with its data in `dataDir`; resolves once it printed its URLs.
 * `nodeArgs` go before the script (e.g. `--import @bank/platform/telemetry/register`).
 */
export async function startDevProcess(dataDir: string, env: Record<string, string> = {}, nodeArgs: readonly string[] = []): Promise<DevProcess> {
  const ports: DevPorts = {
    BANK_PORT: await freePort(),
    LOG_PORT: await freePort(),
    EMAIL_PORT: await freePort(),
    CATCHER_SMTP_PORT: await freePort(),
    CATCHER_HTTP_PORT: await freePort(),
  };
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SERVICE_VARIABLES.test(name)));
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=bank-source', ...nodeArgs, 'scripts/dev.ts'], {
    cwd: ROOT,
    env: { ...inherited, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), DEV_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGINT');
    return exited;
  };
  try {
    await waitFor(async () => {
        if (child.exitCode !== null) abortWait(`dev runner exited ${child.exitCode}\n${output}`);
        return output;
      }, { what: 'the dev runner to print its ready line', until: (text) => text.includes('Ctrl-C stops everything gracefully'), timeoutMs: 60_000, intervalMs: 200 });
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return { child, output: () => output, ports, stop };
}
