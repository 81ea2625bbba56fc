import { randomUUID } from 'node:crypto';
import { runCommand } from './commands.ts';
import { testSettings, type TestSettings } from './test-settings.ts';

/** A RabbitMQ broker tests may create vhosts on: the machine's (from the settings) or an own node. */
export interface RabbitBroker {
  /** `amqp://…/<vhost>`; without `vhost`, the default vhost. */
  amqpUrl(vhost?: string): string;
  /** Run `rabbitmqctl <args>` against this broker's node; rejects with its stderr on failure. */
  rabbitmqctl(...args: string[]): Promise<string>;
}

/** `<base>/` for the default vhost, `<base>/<urlencoded vhost>` otherwise. */
export function amqpUrlOf(base: string, vhost?: string): string {
  return vhost === undefined ? `${base}/` : `${base}/${encodeURIComponent(vhost)}`;
}

/** The broker named by TEST_AMQP_URL, administered through the system's `rabbitmqctl` (-n TEST_RABBITMQ_NODE). */
export function sharedBroker(settings: TestSettings = testSettings): RabbitBroker {
  const node = settings.rabbitmqNode === undefined ? [] : ['-n', settings.rabbitmqNode];
  return {
    amqpUrl: (vhost) => amqpUrlOf(settings.amqpUrl, vhost),
    rabbitmqctl: (...args) => runCommand('rabbitmqctl', [...node, ...args]),
  };
}

export interface TestVhost {
  name: string;
  /** The AMQP URL of this vhost. */
  url: string;
  /** Force-close the client connections to this vhost only (as an operator or a broker restart would). */
  closeConnections(reason?: string): Promise<void>;
  /** Delete the vhost with everything in it. */
  delete(): Promise<void>;
}

/** A fresh vhost `<prefix>-<random>` with full permissions for guest (≈ 0.5–1 s per rabbitmqctl call). */
export async function createTestVhost(prefix = 'test', broker: RabbitBroker = sharedBroker()): Promise<TestVhost> {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  await broker.rabbitmqctl('add_vhost', name);
  await broker.rabbitmqctl('set_permissions', '-p', name, 'guest', '.*', '.*', '.*');
  return {
    name,
    url: broker.amqpUrl(name),
    closeConnections: async (reason = 'test') => {
      await broker.rabbitmqctl('close_all_connections', '-p', name, reason);
    },
    delete: async () => {
      await broker.rabbitmqctl('delete_vhost', name);
    },
  };
}
