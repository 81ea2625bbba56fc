// CongoDB, the MongoDB wire-protocol emulator of @push.rocks/smartmongo 2.2.0, as a process.
// Install it first (from this folder's package-lock.json): `npm run congodb:install`.
//
//   node scripts/congodb/server.mjs [--port 27017] [--host 127.0.0.1]
//
// Alone it serves until SIGINT/SIGTERM (data in memory). Started by the test kit (`startCongoDb`)
// with an IPC channel it reports {event: 'listening', port} and obeys {command: 'stop'} (stop
// listening and drop every client connection: an outage, data kept) and {command: 'start'} (listen
// again on the same port); it exits when its parent goes away.
import process from 'node:process';
import { CongoServer } from '@push.rocks/smartmongo/dist_ts/congodb/index.js';

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1] : fallback;
}

const host = option('host', '127.0.0.1');
const port = Number(option('port', '27017'));
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`invalid --port ${option('port', '')}\n`);
  process.exit(2);
}

const server = new CongoServer({ host, port, storage: 'memory' });

async function listen() {
  await server.start();
  // With --port 0 the OS picked the port: keep it, so that a restart comes back on the same one.
  server.options.port = server.server.address().port;
  return server.options.port;
}

const report = (message) => process.send?.(message);

try {
  const actual = await listen();
  if (process.send) report({ event: 'listening', port: actual });
  else process.stdout.write(`CongoDB (MongoDB wire protocol, in memory) listening on mongodb://${host}:${actual}\n`);
} catch (err) {
  process.stderr.write(`CongoDB could not listen on ${host}:${port}: ${err.message}\n`);
  process.exit(1);
}

process.on('message', async (message) => {
  try {
    if (message?.command === 'stop') {
      await server.stop();
      report({ event: 'stopped' });
    } else if (message?.command === 'start') {
      report({ event: 'listening', port: await listen() });
    }
  } catch (err) {
    report({ event: 'error', message: err.message });
  }
});
process.on('disconnect', () => process.exit(0));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    void server.stop().finally(() => process.exit(0));
  });
}
