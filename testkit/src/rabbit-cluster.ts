// A RabbitMQ cluster of own nodes on this machine: started together, joined with
// `rabbitmqctl join_cluster`, handed back once `cluster_status` shows every node running.
import { randomBytes } from 'node:crypto';
import type { PortRange } from './ports.ts';
import { startRabbitNode, type RabbitNode } from './rabbit-node.ts';
import type { RabbitBroker } from './rabbit-vhost.ts';
import { waitFor } from './wait-for.ts';

export interface RabbitClusterOptions {
  /** How many nodes. Default 3. */
  nodes?: number;
  /** Label of the node names (`tk-<name>-<i>-<random>@localhost`). Default `cluster`. */
  name?: string;
  /** Where to pick the nodes' ports. Default: any free ports. */
  portRange?: PortRange;
  /** Extra rabbitmq.conf lines for every node. */
  config?: readonly string[];
  /** How long the whole start may take (ms). Default 180 000. */
  startTimeoutMs?: number;
}

/** The cluster is a broker too: `amqpUrl(vhost)` is the comma-separated list of every node's URL. */
export interface RabbitCluster extends RabbitBroker {
  readonly nodes: readonly RabbitNode[];
  /** Every node's AMQP URL (default vhost), in node order. */
  readonly urls: readonly string[];
  /** The same, comma-separated (what a comma-separated AMQP_URI takes). */
  readonly urlList: string;
  /** Names of the nodes `cluster_status` reports running, asked of the first node that answers. */
  runningNodes(): Promise<string[]>;
  /** Remove every node (kill, delete data). */
  remove(): Promise<void>;
}

interface ClusterStatus {
  running_nodes?: string[];
}

/** Start `nodes` own RabbitMQ nodes and cluster them; remove it in an `after` hook. */
export async function startRabbitCluster(options: RabbitClusterOptions = {}): Promise<RabbitCluster> {
  const size = options.nodes ?? 3;
  if (!Number.isInteger(size) || size < 1) throw new Error(`a cluster needs at least one node (got ${size})`);
  const name = options.name ?? 'cluster';
  const cookie = randomBytes(16).toString('hex');
  const timeoutMs = options.startTimeoutMs ?? 180_000;
  const started = await Promise.allSettled(
    Array.from({ length: size }, (_, i) =>
      startRabbitNode({ name: `${name}-${i + 1}`, cookie, portRange: options.portRange, config: options.config, startTimeoutMs: timeoutMs }),
    ),
  );
  const nodes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const removeAll = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.remove()));
  };
  const failed = started.find((s) => s.status === 'rejected');
  if (failed !== undefined) {
    await removeAll();
    throw (failed as PromiseRejectedResult).reason;
  }

  const runningNodes = async (): Promise<string[]> => {
    let lastError: unknown;
    for (const node of nodes) {
      if (!node.isRunning()) continue;
      try {
        const status = JSON.parse(await node.rabbitmqctl('cluster_status', '--formatter', 'json')) as ClusterStatus;
        return [...(status.running_nodes ?? [])].sort();
      } catch (error) {
        lastError = error;
      }
    }
    throw new Error('no node of the cluster answers cluster_status', { cause: lastError });
  };
  const rabbitmqctl = async (...args: string[]): Promise<string> => {
    const node = nodes.find((n) => n.isRunning());
    if (node === undefined) throw new Error('no node of the cluster runs');
    return node.rabbitmqctl(...args);
  };

  try {
    const [seed, ...others] = nodes as [RabbitNode, ...RabbitNode[]];
    for (const node of others) {
      await node.stopApp();
      await node.rabbitmqctl('join_cluster', seed.nodeName);
      await node.startApp();
    }
    const expected = nodes.map((n) => n.nodeName).sort();
    await waitFor(runningNodes, {
      what: `cluster_status to show all ${size} nodes running (${expected.join(', ')})`,
      until: (running) => expected.every((n) => running.includes(n)),
      timeoutMs: 60_000,
      intervalMs: 500,
    });
  } catch (error) {
    await removeAll();
    throw error;
  }

  const urls = nodes.map((n) => n.url);
  return {
    nodes,
    urls,
    urlList: urls.join(','),
    amqpUrl: (vhost) => nodes.map((n) => n.amqpUrl(vhost)).join(','),
    rabbitmqctl,
    runningNodes,
    remove: removeAll,
  };
}
