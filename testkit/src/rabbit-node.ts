// An own RabbitMQ node for tests that stop, kill or restart a broker: Debian's rabbitmq-server with
// its own node name, ports, data, logs, Erlang cookie and no plugins (so no management port), in a
// folder of its own (see instance-folders.ts). Never the machine's node: its cookie differs, so even
// a wrong `-n` cannot reach the machine's broker.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'amqplib';
import { runCommand } from './commands.ts';
import { createInstanceFolder, releaseInstanceFolder } from './instance-folders.ts';
import { assertPortFree, freePort, isPortFree, type PortRange } from './ports.ts';
import { amqpUrlOf, type RabbitBroker } from './rabbit-vhost.ts';
import { removeServer, serverProcess, tailOf, type OwnServer } from './server-process.ts';
import { abortWait, waitFor } from './wait-for.ts';

const SCRIPTS = '/usr/lib/rabbitmq/bin';

export interface RabbitNodeOptions {
  /** A short label for the node name and folder (letters, digits, dashes). Default `node`. */
  name?: string;
  /** AMQP port. Default: a free one (inside `portRange` when given). */
  port?: number;
  /** Erlang distribution port. Default: a free one (inside `portRange` when given). */
  distPort?: number;
  /** Where to pick the ports not given explicitly, e.g. `{ from: 22000, to: 22999 }`. Default: any free port. */
  portRange?: PortRange;
  /** The node's data (RABBITMQ_MNESIA_BASE). Default: `data/` in the node's own temp folder. */
  dataDir?: string;
  /** The Erlang cookie; nodes that are to form a cluster share one. Default: a random one. */
  cookie?: string;
  /** Extra rabbitmq.conf lines (e.g. `'vm_memory_high_watermark.relative = 0.2'`). */
  config?: readonly string[];
  /** How long a start may take (ms). Default 120 000 (a busy 2-core machine needs far more than the usual 5–10 s). */
  startTimeoutMs?: number;
}

export interface RabbitNode extends RabbitBroker, OwnServer {
  /** e.g. `tk-outbox-3f9a1c@localhost`: unique per node, so a leftover of a crashed run never clashes. */
  readonly nodeName: string;
  readonly port: number;
  readonly distPort: number;
  readonly dataDir: string;
  /** `amqp://guest:guest@127.0.0.1:<port>/` (the default vhost). */
  readonly url: string;
  // pid() is the node's Erlang VM (beam.smp); isRunning() is true while the VM runs, even with its
  // application stopped; kill() SIGKILLs the VM and the process group of its start script.
  /** `rabbitmqctl stop_app`: the VM stays up, the broker application (and its listener) stops. */
  stopApp(): Promise<void>;
  /** `rabbitmqctl start_app`, then wait until it accepts AMQP connections. */
  startApp(): Promise<void>;
}

function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(RABBITMQ_|ERL_)/.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

async function acceptsAmqp(url: string): Promise<true> {
  const connection = await connect(url, { timeout: 2_000 });
  connection.on('error', () => undefined);
  await connection.close();
  return true;
}

/** Start an own RabbitMQ node; resolves once it accepts AMQP connections. Remove it in an `after` hook. */
export async function startRabbitNode(options: RabbitNodeOptions = {}): Promise<RabbitNode> {
  const serverScript = join(SCRIPTS, 'rabbitmq-server');
  if (!existsSync(serverScript)) throw new Error(`own RabbitMQ nodes need Debian's rabbitmq-server package (${serverScript} is missing)`);
  const label = options.name ?? 'node';
  if (!/^[a-z0-9-]{1,30}$/i.test(label)) throw new Error(`invalid RabbitMQ node label "${label}"`);

  const folder = createInstanceFolder('rabbit', label);
  try {
    if (options.port !== undefined) await assertPortFree(options.port, 'RabbitMQ node');
    if (options.distPort !== undefined) await assertPortFree(options.distPort, 'RabbitMQ node (distribution)');
    const port = options.port ?? (await freePort(options.portRange, [options.distPort ?? -1]));
    const distPort = options.distPort ?? (await freePort(options.portRange, [port]));
    const nodeName = `tk-${label}-${randomBytes(3).toString('hex')}@localhost`;
    const dataDir = options.dataDir ?? join(folder, 'data');
    const home = join(folder, 'home');
    const logDir = join(folder, 'log');
    for (const dir of [home, logDir, dataDir]) mkdirSync(dir, { recursive: true });
    writeFileSync(join(home, '.erlang.cookie'), options.cookie ?? randomBytes(16).toString('hex'));
    chmodSync(join(home, '.erlang.cookie'), 0o400);
    writeFileSync(join(folder, 'enabled_plugins'), '[].\n');
    writeFileSync(join(folder, 'rabbitmq-env.conf'), '# empty: this node ignores /etc/rabbitmq/rabbitmq-env.conf\n');
    writeFileSync(join(folder, 'rabbitmq.conf'), [`listeners.tcp.1 = 127.0.0.1:${port}`, ...(options.config ?? [])].join('\n') + '\n');
    const pidFile = join(folder, 'node.pid');
    const consoleLog = join(folder, 'console.log');
    const common = {
      HOME: home,
      RABBITMQ_CONF_ENV_FILE: join(folder, 'rabbitmq-env.conf'),
    };
    const env = serverEnv({
      ...common,
      RABBITMQ_NODENAME: nodeName,
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(port),
      RABBITMQ_DIST_PORT: String(distPort),
      RABBITMQ_MNESIA_BASE: dataDir,
      RABBITMQ_LOG_BASE: logDir,
      RABBITMQ_ENABLED_PLUGINS_FILE: join(folder, 'enabled_plugins'),
      RABBITMQ_CONFIG_FILE: join(folder, 'rabbitmq.conf'),
      RABBITMQ_ADVANCED_CONFIG_FILE: join(folder, 'advanced.config'),
      RABBITMQ_PID_FILE: pidFile,
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
      ERL_EPMD_ADDRESS: '127.0.0.1',
    });
    const ctlEnv = serverEnv(common);
    const url = amqpUrlOf(`amqp://guest:guest@127.0.0.1:${port}`);
    const startTimeoutMs = options.startTimeoutMs ?? 120_000;
    const rabbitmqctl = (...args: string[]): Promise<string> => runCommand(join(SCRIPTS, 'rabbitmqctl'), ['-n', nodeName, ...args], { env: ctlEnv });
    const logTail = (lines = 30): string => tailOf(join(logDir, `${nodeName}.log`), lines) || tailOf(consoleLog, lines);
    // the node's Erlang VM: the beam.smp booting rabbit whose Erlang home is this node's (rabbitmqctl runs a beam with that home too)
    const server = serverProcess({
      command: serverScript,
      env,
      cwd: folder,
      consoleLog,
      pidFile,
      marker: home,
      isOurs: (argv) => (argv[0] ?? '').endsWith('beam.smp') && argv.includes(home) && ` ${argv.join(' ')} `.includes(' -s rabbit boot '),
    });

    const waitUntilAcceptingAmqp = async (): Promise<void> => {
      await waitFor(
        async () => {
          if (server.exited()) abortWait(`the node exited during start-up; its log ends:\n${logTail()}`);
          return acceptsAmqp(url);
        },
        { what: `RabbitMQ node ${nodeName} to accept AMQP connections on port ${port}`, timeoutMs: startTimeoutMs, intervalMs: 100 },
      );
    };

    const start = async (): Promise<void> => {
      if (server.isRunning()) throw new Error(`RabbitMQ node ${nodeName} is already running`);
      // a node stopped a moment ago may still hold its sockets for a few milliseconds
      for (const p of [port, distPort]) {
        await waitFor(() => isPortFree(p), { what: `port ${p} of ${nodeName} to be free`, timeoutMs: 10_000 });
      }
      rmSync(pidFile, { force: true });
      server.spawn();
      await waitUntilAcceptingAmqp();
    };

    const node: RabbitNode = {
      nodeName,
      port,
      distPort,
      dataDir,
      folder,
      url,
      amqpUrl: (vhost) => amqpUrlOf(`amqp://guest:guest@127.0.0.1:${port}`, vhost),
      rabbitmqctl,
      pid: server.pid,
      isRunning: server.isRunning,
      start,
      stop: () => server.stopOrKill(60_000, `RabbitMQ node ${nodeName} to shut down`),
      kill: () => server.signal('SIGKILL', 10_000, `RabbitMQ node ${nodeName} to die`),
      async stopApp() {
        await rabbitmqctl('stop_app');
      },
      async startApp() {
        await rabbitmqctl('start_app');
        await waitUntilAcceptingAmqp();
      },
      remove: () => removeServer(server, folder, options.dataDir, `RabbitMQ node ${nodeName} to die`),
      logTail,
    };
    await start();
    return node;
  } catch (error) {
    releaseInstanceFolder(folder);
    throw error;
  }
}
