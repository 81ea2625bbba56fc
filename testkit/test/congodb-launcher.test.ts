import assert from 'node:assert/strict';
import net from 'node:net';
import { congoDbUnavailableReason, startCongoDb, type CongoDb } from '../src/congodb.ts';

/** Whether a TCP connection to the port is accepted (true) or refused (false). */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolves when the server closes the connection. */
function closedByServer(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('error', reject);
    socket.once('connect', () => resolve(socket));
  });
}

const missing = congoDbUnavailableReason();

(missing ? describe.skip : describe)(`startCongoDb (the MongoDB emulator as an own process)${missing ? ` — skipped: ${missing}` : ''}`, () => {
  let congo: CongoDb | undefined;
  afterEach(() => congo?.close());

  it('listens on a free port, refuses while stopped (dropping open connections), comes back on the same port, and ends on close', async () => {
    congo = await startCongoDb();
    assert.match(congo.url, /^mongodb:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await accepts(congo.port), true);
    const open = await closedByServer(congo.port);
    const dropped = new Promise<void>((resolve) => open.once('close', () => resolve()));

    await congo.stop();
    assert.equal(congo.listening, false);
    await dropped; // the outage cuts the connections clients hold
    assert.equal(await accepts(congo.port), false);

    await congo.start();
    assert.equal(congo.listening, true);
    assert.equal(await accepts(congo.port), true);

    await congo.close();
    assert.equal(await accepts(congo.port), false);
    await congo.close(); // twice is fine
  });
});
