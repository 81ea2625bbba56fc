import assert from 'node:assert/strict';
import request from 'supertest';
import { createJwtKey, signAccessToken } from '@bank/platform/auth';
import { AmqpBus } from '@bank/platform/events';
import { createTestVhost, type TestVhost, waitFor } from '@bank/testkit';
import { createEmailService } from '../../src/app.ts';
import type { MailTransport } from '../../src/mail/index.ts';
import { openSentStore } from '../../src/sent-store/index.ts';
import { accountCreated, testConfig, memoryAccessStore } from '../support/email-fixtures.ts';

describe('email-service dead-letter admin API on RabbitMQ', function () {
  this.timeout(60_000);
  let vhost: TestVhost;
  before(async () => {
    vhost = await createTestVhost('dlq_email-service');
  });
  after(async () => {
    await vhost?.delete();
  });

  it('lists an invalid message with its reason, keeps it through the listing, replays it into the queue only and drops it', async () => {
    const config = testConfig(1, { QUEUE_NAME: 'email-dlq', EXCHANGE_NAME: 'ex-email' });
    const token = signAccessToken(createJwtKey(config.JWT_SECRET_KEY), { sub: '1', roles: ['admin'], client_id: null, account_ids: [] }, {
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      expiresInSeconds: 600,
    });
    const admin = { Authorization: `Bearer ${token}` };
    const sent: string[] = [];
    const transport: MailTransport = {
      send: async (mail) => {
        sent.push(String(mail.subject));
        return { messageId: '<m@test>', accepted: ['ops@bank.test'], rejected: [] } as unknown as Awaited<ReturnType<MailTransport['send']>>;
      },
      verify: async () => {},
      close: () => {},
    };
    const bus = new AmqpBus({ url: vhost.url, reconnect: { baseMs: 100, maxMs: 500 } });
    const sentStore = await openSentStore(':memory:');
    await bus.connect(10_000);
    const service = createEmailService(config, { bus, transport, sentStore, accessStore: memoryAccessStore() }, { smtpCheckTtlMs: 0, validateResponses: true });
    try {
      await service.start();
      const invalid = { ...accountCreated(3), data: { id: 3 } }; // client_id, bank_id, balance missing
      await bus.publish('ex-email', 'account.created', Buffer.from(JSON.stringify(invalid)), { messageId: 'bad-3', correlationId: 'c-3', headers: { traceparent: 'tp-3' } });
      let body: { total: number; items: { message_id: string; reason: string; delivery_count: number; headers: Record<string, unknown>; routing_key: string }[] } | undefined;
      await waitFor(async () => {
        body = (await request(service.app).get('/admin/dead-letters').set(admin)).body;
        return body?.total === 1;
      }, { what: 'bad-3 listed' });
      const [item] = body!.items;
      assert.equal(item?.message_id, 'bad-3');
      assert.match(item?.reason ?? '', /^invalid account\.created message: data\.client_id is required/);
      assert.equal(item?.delivery_count, 1);
      assert.equal(item?.routing_key, 'account.created');
      assert.equal(item?.headers['traceparent'], 'tp-3');
      assert.equal((await request(service.app).get('/admin/dead-letters').set(admin)).body.total, 1, 'still there after two listings');

      const replayed = await request(service.app).post('/admin/dead-letters/replay').set(admin).send({ message_id: 'bad-3' });
      assert.deepEqual(replayed.body, { msg: 'dead letters replayed', replayed: 1 });
      await waitFor(async () => (await request(service.app).get('/admin/dead-letters').set(admin)).body.items[0]?.replays === 1, { what: 'bad-3 back, replayed once' });
      assert.deepEqual(sent, []);

      const dropped = await request(service.app).delete('/admin/dead-letters').set(admin);
      assert.deepEqual(dropped.body, { msg: 'dead letters dropped', dropped: 1 });
      assert.equal((await request(service.app).get('/admin/dead-letters').set(admin)).body.total, 0);
    } finally {
      await service.stop();
      await bus.close();
      await sentStore.close();
    }
  });
});
