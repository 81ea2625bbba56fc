// A production start with BANK_WORKERS=2 (node:cluster): two worker processes serve the port, a
// worker that dies is replaced while the other keeps serving, and the outbox relay (worker 1 only)
// publishes every event exactly once.
import assert from 'node:assert/strict';
import { buildTopology } from '@bank/events';
import { AmqpBus } from '@bank/platform/events';
import { createTestVhost, freePort, sharedBroker, waitFor, type TestVhost } from '@bank/testkit';
import { openBankDatabase, type BankTestDatabase } from '../support/databases.ts';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.ts';
import { TEST_ADMIN } from '../support/test-config.ts';
import { letters } from '../http/clients-fixtures.ts';

const JWT_SECRET = 'bank-workers-e2e-Q8vT3nLm6ZrB1xWk9HsD4gFy7PcJ2aE5';

/** pids of the processes that logged `message` (pino JSON lines). */
function pidsLogging(output: string, message: string): number[] {
  const pids = new Set<number>();
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: unknown; pid?: unknown };
      if (entry.msg === message && typeof entry.pid === 'number') pids.add(entry.pid);
    } catch {
      // not a log line
    }
  }
  return [...pids];
}

async function queueDepth(vhost: TestVhost, queue: string): Promise<number> {
  const listing = await sharedBroker().rabbitmqctl('list_queues', '-q', '-p', vhost.name, 'name', 'messages');
  const line = listing.split('\n').find((l) => l.split(/\s+/)[0] === queue);
  return line === undefined ? -1 : Number(line.split(/\s+/)[1]);
}

describe('bank-service with BANK_WORKERS=2 [MariaDB, RabbitMQ]', function () {
  this.timeout(180_000);
  let seeded: BankTestDatabase;
  let vhost: TestVhost;
  let bank: ServiceProcess | undefined;
  before(async () => {
    seeded = await openBankDatabase('mysql');
    vhost = await createTestVhost('bank-workers');
    // email-service and log-service declare their own queues; they do not run here, so the test does
    const consumers = new AmqpBus({ url: vhost.url });
    await consumers.connect(10_000);
    await consumers.declare(buildTopology());
    await consumers.close();
  });
  after(async () => {
    await bank?.stop();
    await vhost?.delete();
    await seeded?.close();
  });

  it('serves from two worker processes, replaces a killed one while the other serves, and relays each event once', async () => {
    const env = {
      APP_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: seeded.url,
      JWT_SECRET_KEY: JWT_SECRET,
      AMQP_URI: vhost.url,
      LOG_SERVICE_URL: 'http://127.0.0.1:9',
      BANK_WORKERS: '2',
    };
    const port = await freePort();
    bank = await startServiceProcess('bank-service/src/main.ts', env, port);
    const running = bank;
    await waitFor(() => pidsLogging(running.output(), 'bank-service listening').length === 2, { what: 'two workers listening', timeoutMs: 30_000 }).catch((err: unknown) => {
      console.log(running.output());
      throw err;
    });
    const workers = pidsLogging(running.output(), 'bank-service listening');
    assert.ok(!workers.includes(running.child.pid!), 'the primary serves nothing itself');

    // a fresh connection per request: the primary spreads connections over the workers
    const call = async (path: string, init: RequestInit = {}): Promise<Response> =>
      fetch(`${running.url}${path}`, { ...init, headers: { Connection: 'close', 'Content-Type': 'application/json', ...init.headers } });
    const login = await call('/auth/login', { method: 'POST', body: JSON.stringify({ email: TEST_ADMIN.email, password: TEST_ADMIN.password }) });
    assert.equal(login.status, 200);
    const token = ((await login.json()) as { access_token: string }).access_token;
    const auth = { Authorization: `Bearer ${token}` };
    const BANKS = 12;
    for (let i = 1; i <= BANKS; i += 1) {
      const created = await call('/api/banks', { method: 'POST', headers: auth, body: JSON.stringify({ name: `Worker Bank ${letters(i)}` }) });
      assert.equal(created.status, 201);
    }
    // every bank.created is published (sent_at set) and lands once in the email-service queue
    await waitFor(
      async () => {
        const pending = (await seeded.db('outbox').whereNull('sent_at').count({ n: '*' }).first()) as { n: number | string };
        return Number(pending.n) === 0;
      },
      { what: 'the outbox drained', timeoutMs: 30_000 },
    );
    await waitFor(async () => (await queueDepth(vhost, 'email-service')) === BANKS, { what: `${BANKS} messages in email-service`, timeoutMs: 30_000 });
    const outbox = (await seeded.db('outbox').where({ routing_key: 'bank.created' }).count({ n: '*' }).first()) as { n: number | string };
    assert.equal(Number(outbox.n), BANKS);
    assert.equal(await queueDepth(vhost, 'email-service'), BANKS);
    // kill one worker: the other keeps serving, and the primary starts a replacement
    process.kill(workers[1]!, 'SIGKILL');
    // a connection the primary handed to the worker just as it died is lost (node:cluster): the client
    // retries with a timeout, as any client of a crashed process must, and the other worker answers
    await waitFor(async () => (await call('/health', { signal: AbortSignal.timeout(2_000) }).catch(() => undefined))?.status === 200, {
      what: '/health answered by the surviving worker',
      timeoutMs: 20_000,
    });
    await waitFor(() => pidsLogging(running.output(), 'bank-service listening').length === 3, { what: 'a replacement worker', timeoutMs: 30_000 });
    const whoami = await call('/auth/whoami', { headers: auth });
    assert.equal(whoami.status, 200);
  });
});
