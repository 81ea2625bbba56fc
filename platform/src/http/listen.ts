import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

export interface ListenOptions {
  port: number;
  host: string;
  /** PEM files: serve HTTPS when both are given. */
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
}

/** Serve `app` over HTTP, or HTTPS when a certificate and key are configured; resolves once listening. */
export async function listen(app: RequestListener, options: ListenOptions): Promise<Server> {
  const server =
    options.tlsCert && options.tlsKey
      ? createHttpsServer({ cert: readFileSync(options.tlsCert), key: readFileSync(options.tlsKey) }, app)
      : createHttpServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
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
