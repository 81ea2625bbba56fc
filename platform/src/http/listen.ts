import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { StartupError } from '../process-entry.ts';

export interface ListenOptions {
  port: number;
  host: string;
  /** PEM files: serve HTTPS when both are given. */
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
}

function readPem(file: string, variable: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new StartupError(`${variable} ${file} cannot be read (${code})`, { cause: err });
  }
}

const LISTEN_FAILURES: Record<string, string> = {
  EADDRINUSE: 'the address is already in use',
  EACCES: 'permission denied (a port below 1024 needs privileges)',
  EADDRNOTAVAIL: 'the address is not available on this machine',
  ENOTFOUND: 'the host name does not resolve',
};

/**
 * Serve `app` over HTTP, or HTTPS when a certificate and key are configured; resolves once
 * listening. A port in use, an address not on this machine or an unreadable certificate is a
 * StartupError naming it.
 */
export async function listen(app: RequestListener, options: ListenOptions): Promise<Server> {
  const server =
    options.tlsCert && options.tlsKey
      ? createHttpsServer({ cert: readPem(options.tlsCert, 'TLS_CERT'), key: readPem(options.tlsKey, 'TLS_KEY') }, app)
      : createHttpServer(app);
  await new Promise<void>((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) => {
      const reason = LISTEN_FAILURES[err.code ?? ''];
      reject(reason ? new StartupError(`cannot listen on ${options.host}:${options.port}: ${reason}`, { cause: err }) : err);
    };
    server.once('error', failed);
    server.listen(options.port, options.host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  return server;
}

/** Stop accepting connections and wait for the requests in flight (idle keep-alive sockets are closed). */
export function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  return closed;
}
