import { createServer } from 'node:net';

/** Ports an own instance must never take: epmd, and the range rabbitmqctl's own Erlang node listens on. */
const RESERVED = (port: number): boolean => port === 4369 || (port >= 35672 && port <= 35682);

/** True when nothing listens on 127.0.0.1:`port` and it can be bound now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

async function osAssignedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface PortRange {
  from: number;
  to: number;
}

/**
 * A port free on 127.0.0.1 right now, not one of `avoid`: one the OS picks, or (with `range`) a
 * random free one inside it. The caller binds it soon after; another process could take it in between.
 */
export async function freePort(range?: PortRange, avoid: readonly number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = range === undefined ? await osAssignedPort() : range.from + Math.floor(Math.random() * (range.to - range.from + 1));
    if (RESERVED(port) || avoid.includes(port)) continue;
    if (range === undefined || (await isPortFree(port))) return port;
  }
  throw new Error(range === undefined ? 'no free port found' : `no free port in ${range.from}–${range.to}`);
}

/** Reject with a clear message when `port` (asked for explicitly) is taken. */
export async function assertPortFree(port: number, what: string): Promise<void> {
  if (!(await isPortFree(port))) throw new Error(`${what}: port ${port} on 127.0.0.1 is in use`);
}
