import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { connect } from 'amqplib';

const run = promisify(execFile);

export const RABBIT_HOST = '127.0.0.1';
export const RABBIT_PORT = 5672;

export interface TestVhost {
  name: string;
  /** amqp://guest:guest@127.0.0.1:5672/<urlencoded vhost> */
  url: string;
  delete(): Promise<void>;
}

/** Run `rabbitmqctl <args>` (≈ 0.5–1 s each); rejects with its stderr on failure. */
export async function rabbitmqctl(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('rabbitmqctl', args, { timeout: 60_000 });
    return stdout;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`rabbitmqctl ${args.join(' ')} failed: ${stderr.trim() || String(err)}`, { cause: err });
  }
}

export function vhostUrl(vhost: string): string {
  return `amqp://guest:guest@${RABBIT_HOST}:${RABBIT_PORT}/${encodeURIComponent(vhost)}`;
}

/** A fresh vhost with full permissions for guest; `delete()` removes it with everything in it. */
export async function createTestVhost(prefix = 'test'): Promise<TestVhost> {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  await rabbitmqctl('add_vhost', name);
  await rabbitmqctl('set_permissions', '-p', name, 'guest', '.*', '.*', '.*');
  return {
    name,
    url: vhostUrl(name),
    delete: async () => {
      await rabbitmqctl('delete_vhost', name);
    },
  };
}

/**
 * Force-close client connections (as an operator or a broker restart would). With `vhost`, only the
 * connections to that vhost — prefer it: other suites may be using the broker at the same time.
 */
export async function closeAllConnections(vhost?: string, reason = 'test'): Promise<void> {
  const scope = vhost === undefined ? ['--global'] : ['-p', vhost];
  await rabbitmqctl('close_all_connections', ...scope, reason);
}

/** Stop the RabbitMQ application (the node stays up; clients lose their connections and cannot reconnect). */
export async function stopApp(): Promise<void> {
  await rabbitmqctl('stop_app');
}

/**
 * Start the RabbitMQ application and wait until it accepts an AMQP connection again
 * (retries start_app if the node is still stopping; gives up after `timeoutMs`).
 */
export async function startApp(timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await rabbitmqctl('start_app');
      await rabbitmqctl('await_startup', '--timeout', String(Math.max(1, Math.ceil((deadline - Date.now()) / 1000))));
      await waitForBroker(Math.max(1_000, deadline - Date.now()));
      return;
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** Resolve once an AMQP connection to the default vhost succeeds (polls every 200 ms). */
export async function waitForBroker(timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await connect(vhostUrl('/'), { timeout: 2_000 });
      connection.on('error', () => undefined);
      await connection.close();
      return;
    } catch (err) {
      if (Date.now() >= deadline) throw new Error(`RabbitMQ did not answer within ${timeoutMs} ms`, { cause: err });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
