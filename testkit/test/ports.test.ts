import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { assertPortFree, freePort, isPortFree } from '../src/ports.ts';

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('ports', () => {
  it('tells a port in use from a free one', async () => {
    const port = await freePort();
    assert.equal(await isPortFree(port), true);
    const server = await listen(port);
    try {
      assert.equal(await isPortFree(port), false);
      await assert.rejects(assertPortFree(port, 'own server'), new RegExp(`^Error: own server: port ${port} on 127.0.0.1 is in use$`));
    } finally {
      server.close();
    }
  });

  it('picks a free port inside a range, skipping those in use', async () => {
    const range = { from: 22900, to: 22903 };
    const taken = await Promise.all([22900, 22901, 22902].map(async (p) => ((await isPortFree(p)) ? listen(p) : undefined)));
    try {
      const port = await freePort(range);
      assert.equal(port, 22903);
    } finally {
      for (const server of taken) server?.close();
    }
  });
});
