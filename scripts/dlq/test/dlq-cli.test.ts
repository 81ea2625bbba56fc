import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createJwtKey, signAccessToken } from '@bank/platform/auth';
import { InMemoryBus } from '@bank/platform/events';
import { waitFor } from '@bank/testkit';
import { loadEmailConfig, startEmailService, type RunningEmailService } from '../../../email-service/src/wiring.ts';
import { loadLogConfig, startLogService, type RunningLogService } from '../../../log-service/src/wiring.ts';
import { runDlq, USAGE } from '../dlq-command.ts';

const SECRET = 'dlq-cli-test-Xq8vT2mLr4ZpK7wNc3HdF9sGy6BjUa1E';

/** Run the CLI; its output and exit code. */
async function dlq(argv: string[], env: Record<string, string | undefined> = {}, fetchImpl?: typeof fetch): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runDlq(argv, env, { out: (t) => (out += t), err: (t) => (err += t), ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  return { code, out, err };
}

describe('npm run dlq (the dead-letter CLI)', function () {
  this.timeout(20_000);
  let bus: InMemoryBus;
  let log: RunningLogService;
  let email: RunningEmailService;
  let urls: { log: string; email: string };
  const key = createJwtKey(SECRET);
  const sign = (roles: string[]) =>
    signAccessToken(key, { sub: '1', roles, client_id: null, account_ids: [] }, { issuer: 'bank-service', audience: 'bank-platform', expiresInSeconds: 600 });

  before(async () => {
    bus = new InMemoryBus();
    const common = { APP_ENV: 'test', JWT_SECRET_KEY: SECRET, LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0' };
    log = await startLogService(loadLogConfig({ ...common, LOG_STORE_URL: 'sqlite::memory:' }), { bus });
    email = await startEmailService(loadEmailConfig({ ...common, SENT_STORE_URL: ':memory:', EMAIL_RECEIVERS: 'ops@bank.test', SMTP_URL: 'smtp://127.0.0.1:1' }), { bus });
    urls = {
      log: `http://127.0.0.1:${(log.server.address() as AddressInfo).port}`,
      email: `http://127.0.0.1:${(email.server.address() as AddressInfo).port}`,
    };
  });
  after(async () => {
    await email?.stop();
    await log?.stop();
    await bus.close();
  });

  /** Two account.created events the validator refuses (data.id must be an integer): in both DLQs. */
  async function poison(...ids: string[]): Promise<void> {
    for (const id of ids) {
      const body = { user_id: 1, date: '2025-01-16T17:10:26Z', message: 'x', data: { id: 'one', client_id: 1, bank_id: 1, balance: 0 } };
      await bus.publish('topic_exchange', 'account.created', Buffer.from(JSON.stringify(body)), { messageId: id });
    }
    await waitFor(() => bus.queueDepth('log-service.dlq') >= ids.length && bus.queueDepth('email-service.dlq') >= ids.length, { what: 'dead-lettered in both' });
  }

  it('explains its usage and refuses bad invocations with exit code 2', async () => {
    assert.deepEqual(await dlq(['--help']), { code: 0, out: '', err: USAGE });
    for (const [argv, problem] of [
      [[], 'name a command'],
      [['peek', '--service', 'log', '--token', 't'], 'unknown command "peek"'],
      [['list', '--token', 't'], '--service log|email is required'],
      [['list', '--service', 'bank', '--token', 't'], '--service must be log or email'],
      [['replay', '--service', 'log', '--token', 't'], 'exactly one of --id MESSAGE_ID and --all'],
      [['drop', '--service', 'log', '--id', 'x', '--all', '--token', 't'], 'exactly one of --id MESSAGE_ID and --all'],
      [['list', '--service', 'log', '--limit', '0', '--token', 't'], '--limit must be a whole number from 1 to 500'],
      [['list', '--service', 'log'], 'give an admin token'],
      [['list', '--service', 'log', '--colour'], "Unknown option '--colour'"],
    ] as const) {
      const result = await dlq([...argv]);
      assert.equal(result.code, 2, argv.join(' '));
      assert.ok(result.err.includes(problem), `${argv.join(' ')}: ${result.err.split('\n')[0]}`);
    }
  });

  it('lists, replays and drops the dead letters of both services with an admin token', async () => {
    await poison('cli-1', 'cli-2');
    const admin = sign(['admin']);
    for (const service of ['log', 'email'] as const) {
      const env = { DLQ_TOKEN: admin, [service === 'log' ? 'DLQ_LOG_URL' : 'DLQ_EMAIL_URL']: urls[service] };
      const listed = await dlq(['list', '--service', service], env);
      assert.equal(listed.code, 0, listed.err);
      assert.match(listed.out, new RegExp(`^${service}-service\\.dlq: 2 dead letter\\(s\\)`));
      assert.match(listed.out, /cli-1 {2}account\.created {2}deliveries 1 {2}replays 0/);
      assert.match(listed.out, /reason: invalid account\.created message: data\.id must be integer/);
      const json = JSON.parse((await dlq(['list', '--service', service, '--json', '--limit', '1'], env)).out);
      assert.deepEqual([json.total, json.items.length], [2, 1]);

      const replayed = await dlq(['replay', '--service', service, '--id', 'cli-1'], env);
      assert.deepEqual([replayed.code, replayed.out], [0, `replayed 1 message(s) into ${service}-service's queue\n`]);
      await waitFor(() => bus.peek(`${service}-service.dlq`).some((m) => m.properties.messageId === 'cli-1' && m.properties.headers['x-replay-count'] === 1), { what: 'cli-1 back (still invalid)' });

      const unknown = await dlq(['drop', '--service', service, '--id', 'nope'], env);
      assert.equal(unknown.code, 1);
      assert.match(unknown.err, new RegExp(`${service}-service at ${urls[service]} answered 404 Dead letter not found`));
      const dropped = await dlq(['drop', '--service', service, '--all'], env);
      assert.deepEqual([dropped.code, dropped.out], [0, 'dropped 2 message(s)\n']);
      assert.equal(bus.queueDepth(`${service}-service.dlq`), 0);
    }
  });

  it('logs in at bank-service with admin credentials when no token is given', async () => {
    await poison('cli-3');
    const logins: unknown[] = [];
    const bank: typeof fetch = async (input, init) => {
      const request = input instanceof Request ? input : new Request(input, init);
      if (request.url === 'http://bank.test/auth/login') {
        logins.push(await request.json());
        return Response.json({ access_token: sign(['admin']), token_type: 'Bearer', expires_in: 600 });
      }
      return fetch(request);
    };
    const env = { ADMIN_EMAIL: 'admin@example.com', ADMIN_PASS: 'adminpass', BANK_URL: 'http://bank.test', DLQ_LOG_URL: urls.log };
    const result = await dlq(['drop', '--service', 'log', '--id', 'cli-3'], env, bank);
    assert.deepEqual([result.code, result.out, result.err], [0, 'dropped 1 message(s)\n', '']);
    assert.deepEqual(logins, [{ email: 'admin@example.com', password: 'adminpass' }]);
    await dlq(['drop', '--service', 'email', '--all', '--token', sign(['admin']), '--url', urls.email]);
  });

  it('says why when the token is not an admin’s, or the service is unreachable (exit code 1)', async () => {
    const manager = await dlq(['list', '--service', 'log', '--url', urls.log, '--token', sign(['manager'])]);
    assert.equal(manager.code, 1);
    assert.match(manager.err, /answered 403 Access denied \(an admin token is needed\)/);
    const down = await dlq(['list', '--service', 'email', '--url', 'http://127.0.0.1:41001', '--token', sign(['admin'])]);
    assert.equal(down.code, 1);
    assert.match(down.err, /cannot reach email-service at http:\/\/127\.0\.0\.1:41001 \(ECONNREFUSED\)/);
  });
});
